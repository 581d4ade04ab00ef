//! Signatures: for each file of the site, a number that changes whenever anything it is
//! made from does, so that a rebuild renders only the files whose number changed.

use std::hash::{Hash, Hasher};

use super::stamps::Stamps;
use super::{index_of, Memo};
use crate::build::Loaded;
use crate::content::Entry;
use crate::render::Job;
use crate::site::Site;
use crate::views::Context;

impl Memo {
    /// Whether what many pages read of the whole site is as before, after an edit in place
    /// of the `touched` entries.
    pub(super) fn same_whole(&self, old: &Loaded, new: &Loaded, touched: &[usize]) -> bool {
        let facets = |entry: &Entry| {
            let front = &entry.original_doc().front;
            (
                front.kind.clone(),
                front.group.clone(),
                front.themes.clone(),
                front.region.clone(),
            )
        };
        touched.iter().all(|&i| {
            facets(&old.content.entries[i]) == facets(&new.content.entries[i])
                && crate::site::placement(&old.content.entries[i], &old.config)
                    == crate::site::placement(&new.content.entries[i], &new.config)
                && old.content.entries[i].url(&old.config, &old.config.default_language)
                    == new.content.entries[i].url(&new.config, &new.config.default_language)
        })
    }
}

/// The feeds show the newest pages: they change when one of those does.
pub(super) fn feeds_signature(site: &Site, stamps: &Stamps) -> u64 {
    let newest: Vec<u64> = site
        .newest
        .iter()
        .take(crate::feeds::FEED_ENTRIES)
        .map(|&i| stamps.page[i])
        .collect();
    hash(newest)
}

pub(super) fn hash(value: impl Hash) -> u64 {
    let mut hasher = Mix::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A quick hasher for stamps and keys: each word is folded in with splitmix64's mixing
/// function, a bijection, so two different inputs of a build collide only by chance (one in
/// 2^64). std's SipHash resists crafted input, which these are not, at several times the cost,
/// and a rebuild hashes every file's inputs.
#[derive(Default)]
struct Mix(u64);

impl Hasher for Mix {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        let mut z = (self.0 ^ word).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Which file a job writes, as a number: cheaper than its path, which only jobs that go
/// need. An entry's address stamp is in it: when its URL changes, the old file goes.
pub(super) fn job_id(job: &Job, whole: &Whole) -> u64 {
    let mut h = Mix::default();
    let key = |i: usize| whole.ids[i];
    match *job {
        Job::Home { lang } => (0, lang).hash(&mut h),
        Job::Page { entry, lang } => (1, key(entry), lang).hash(&mut h),
        Job::Section { entry, lang, page } => (2, key(entry), lang, page).hash(&mut h),
        // Terms are in a fixed order; a term added or gone changes the taxonomies' hash.
        Job::Taxonomy { taxonomy, lang } => (3, taxonomy, lang, whole.taxonomies).hash(&mut h),
        Job::Term {
            taxonomy,
            term,
            lang,
            page,
        } => (4, taxonomy, term, lang, page, whole.taxonomies).hash(&mut h),
        Job::NotFound { lang } => (5, lang).hash(&mut h),
        Job::Search { lang } => (6, lang).hash(&mut h),
        Job::Members { lang } => (7, lang).hash(&mut h),
        Job::Member { member, lang, page } => (8, member, lang, page).hash(&mut h),
        Job::Dashboard { lang } => (9, lang).hash(&mut h),
    }
    h.finish()
}

/// What many pages read of the whole site, worked out once per build.
#[derive(Clone, Default)]
pub(super) struct Whole {
    /// Every term of every taxonomy with its page count (the home's "browse" boxes).
    taxonomies: u64,
    /// Every facet value any page has (the search page labels them all).
    facet_values: u64,
    /// Each entry's section, by index.
    parents: Vec<Option<usize>>,
    /// Each entry's key and address stamp, hashed: what `job_id` tells its pages apart by.
    ids: Vec<u64>,
}

impl Whole {
    pub(super) fn of(context: &Context, site: &Site, stamps: &Stamps) -> Whole {
        let mut h = Mix::default();
        for taxonomy in &site.taxonomies {
            for (term, pages) in &taxonomy.terms {
                (&taxonomy.name, term, pages.len()).hash(&mut h);
            }
        }
        let parents = context
            .content
            .entries
            .iter()
            .map(|e| {
                e.parent
                    .as_deref()
                    .and_then(|key| index_of(context.content, key))
            })
            .collect();
        let ids = context
            .content
            .entries
            .iter()
            .zip(&stamps.address)
            .map(|(e, address)| hash((&e.key, address)))
            .collect();
        Whole {
            taxonomies: h.finish(),
            facet_values: hash(crate::search_page::known_facet_values(context)),
            parents,
            ids,
        }
    }
}

/// A number that changes whenever anything the job's file is made from changes (the
/// templates, strings and configuration aside: changing those builds the site whole). It
/// follows what `Templates::render_job` reads.
pub(super) fn signature(
    job: &Job,
    context: &Context,
    site: &Site,
    stamps: &Stamps,
    whole: &Whole,
) -> u64 {
    let mut h = Mix::default();
    let per_page = context.config.per_page;
    // Everything a listing shows of one of its pages. No two entries share a stamp, so the
    // stamps also say which entries a listing shows.
    let summary = |h: &mut Mix, i: usize, lang: usize| {
        stamps.summary[i * stamps.languages + lang].hash(h);
    };
    // A section's card: its summary, its own page (cards show the description as written)
    // and how many pages it holds.
    let card = |h: &mut Mix, i: usize, lang: usize| {
        summary(h, i, lang);
        stamps.page[i].hash(h);
        site.totals.get(&context.content.entries[i].key).hash(h);
    };
    // The sections above an entry, for breadcrumbs.
    let ancestors = |h: &mut Mix, entry: usize, lang: usize| {
        let mut parent = whole.parents[entry];
        while let Some(i) = parent {
            summary(h, i, lang);
            parent = whole.parents[i];
        }
    };
    let listed = |h: &mut Mix, all: &[usize], page: usize, lang: usize| {
        all.len().hash(h);
        for &i in all.iter().skip((page - 1) * per_page).take(per_page) {
            summary(h, i, lang);
        }
    };
    let top = site
        .subsections
        .get("")
        .map(Vec::as_slice)
        .unwrap_or_default();
    let lang = match *job {
        Job::Home { lang }
        | Job::Page { lang, .. }
        | Job::Section { lang, .. }
        | Job::Taxonomy { lang, .. }
        | Job::Term { lang, .. }
        | Job::NotFound { lang }
        | Job::Search { lang }
        | Job::Members { lang }
        | Job::Member { lang, .. }
        | Job::Dashboard { lang } => lang,
    };
    // The menu every page shows.
    for &i in top {
        summary(&mut h, i, lang);
    }
    match *job {
        Job::Home { lang } => {
            0.hash(&mut h);
            index_of(context.content, "")
                .map(|i| stamps.page[i])
                .hash(&mut h);
            for &i in site.newest.iter().take(per_page) {
                summary(&mut h, i, lang);
            }
            for &i in top {
                card(&mut h, i, lang);
            }
            whole.taxonomies.hash(&mut h);
        }
        Job::Page { entry, lang } => {
            1.hash(&mut h);
            stamps.page[entry].hash(&mut h);
            ancestors(&mut h, entry, lang);
        }
        Job::Section { entry, lang, page } => {
            2.hash(&mut h);
            stamps.page[entry].hash(&mut h);
            ancestors(&mut h, entry, lang);
            let key = &context.content.entries[entry].key;
            let all = site
                .section_pages
                .get(key)
                .map(Vec::as_slice)
                .unwrap_or_default();
            listed(&mut h, all, page, lang);
            for &i in site
                .subsections
                .get(key)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                card(&mut h, i, lang);
            }
        }
        Job::Taxonomy { taxonomy, .. } => {
            3.hash(&mut h);
            let taxonomy = &site.taxonomies[taxonomy];
            for (term, pages) in &taxonomy.terms {
                (term, pages.len()).hash(&mut h);
            }
        }
        Job::Term {
            taxonomy,
            term,
            lang,
            page,
        } => {
            4.hash(&mut h);
            listed(&mut h, &site.taxonomies[taxonomy].terms[term].1, page, lang);
        }
        Job::NotFound { .. } => 5.hash(&mut h),
        Job::Search { .. } => {
            6.hash(&mut h);
            whole.facet_values.hash(&mut h);
        }
        // The directory shows how many pages each member has.
        Job::Members { .. } => {
            7.hash(&mut h);
            for pages in &site.member_pages {
                pages.len().hash(&mut h);
            }
        }
        Job::Member { member, lang, page } => {
            8.hash(&mut h);
            listed(&mut h, &site.member_pages[member], page, lang);
        }
        // The dashboard reads every page's translations.
        Job::Dashboard { .. } => {
            9.hash(&mut h);
            stamps.page.hash(&mut h);
        }
    }
    h.finish()
}
