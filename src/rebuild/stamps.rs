//! Stamps: numbers that change when an entry does, and when what others show of it does.

use minijinja::Value;

use super::edits::{index_of, same_bodies, same_source};
use super::Memo;
use crate::build::Loaded;
use crate::config::Config;
use crate::content::Entry;

/// Per entry (as in `Content::entries`): numbers that change when it does.
#[derive(Default, Clone)]
pub(super) struct Stamps {
    pub page: Vec<u64>,
    /// Per entry, per site language: entry `i`'s in language `l` is at `i * languages + l`.
    pub summary: Vec<u64>,
    pub languages: usize,
    /// What the sitemap says of it: its languages, URLs and date.
    pub address: Vec<u64>,
}

impl Memo {
    /// Stamps for the new site: kept for entries that did not change, new otherwise; a
    /// changed entry keeps its summary stamp in a language where its summary is the same.
    /// `touched` lists the only entries that may have changed, when the entries are the same.
    pub(super) fn restamp(
        &mut self,
        old: &Loaded,
        new: &Loaded,
        touched: Option<&[usize]>,
    ) -> (Stamps, Vec<Vec<Value>>) {
        if let Some(touched) = touched {
            let mut stamps = self.stamps.clone();
            let mut summaries = self.summaries.clone();
            for &i in touched {
                self.restamp_entry(old, new, i, Some(i), &mut stamps, &mut summaries);
            }
            return (stamps, summaries);
        }
        let languages = &new.config.languages;
        let mut stamps = Stamps {
            languages: languages.len(),
            ..Stamps::default()
        };
        let width = languages.len();
        let mut summaries: Vec<Vec<Value>> = languages
            .iter()
            .map(|_| Vec::with_capacity(new.content.entries.len()))
            .collect();
        for (i, entry) in new.content.entries.iter().enumerate() {
            let before = index_of(&old.content, &entry.key);
            let unchanged = before.filter(|&j| {
                same_source(&old.content.entries[j], entry)
                    && old.content.entries[j].parent == entry.parent
                    && same_bodies(old.bodies.of(j), new.bodies.of(i))
            });
            if let Some(j) = unchanged {
                stamps.page.push(self.stamps.page[j]);
                stamps
                    .summary
                    .extend_from_slice(&self.stamps.summary[j * width..(j + 1) * width]);
                stamps.address.push(self.stamps.address[j]);
                for (l, by_lang) in summaries.iter_mut().enumerate() {
                    by_lang.push(self.summaries[l][j].clone());
                }
                continue;
            }
            stamps.page.push(0);
            stamps.summary.extend(std::iter::repeat_n(0, width));
            stamps.address.push(0);
            for by_lang in summaries.iter_mut() {
                by_lang.push(Value::UNDEFINED);
            }
            self.restamp_entry(old, new, i, before, &mut stamps, &mut summaries);
        }
        (stamps, summaries)
    }

    /// New stamps for entry `i` of the new site, which was entry `before` of the old one.
    fn restamp_entry(
        &mut self,
        old: &Loaded,
        new: &Loaded,
        i: usize,
        before: Option<usize>,
        stamps: &mut Stamps,
        summaries: &mut [Vec<Value>],
    ) {
        let context = new.context();
        let entry = &new.content.entries[i];
        stamps.page[i] = self.stamp();
        for (l, lang) in new.config.languages.iter().enumerate() {
            let summary = Value::from_serialize(context.summary(i, &lang.code));
            let kept = before
                .filter(|&j| self.summaries[l][j] == summary)
                .map(|j| self.stamps.summary[j * stamps.languages + l]);
            stamps.summary[i * stamps.languages + l] = kept.unwrap_or_else(|| self.stamp());
            summaries[l][i] = summary;
        }
        stamps.address[i] = match before {
            Some(j)
                if address(&old.content.entries[j], &old.config) == address(entry, &new.config) =>
            {
                self.stamps.address[j]
            }
            _ => self.stamp(),
        };
    }
}

/// What the sitemap says of an entry.
fn address(entry: &Entry, config: &Config) -> (Vec<String>, Option<String>) {
    let urls = entry
        .docs
        .keys()
        .map(|lang| entry.url(config, lang))
        .collect();
    (urls, crate::feeds::timestamp(entry))
}
