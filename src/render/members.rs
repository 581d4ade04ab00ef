//! The members' pages: a directory of every member by kind and region, and a page per member listing its work.

use minijinja::context;
use minijinja::value::Value;
use serde::Serialize;

use super::{Job, LanguageShared, Templates};
use crate::listing::{home_crumb, paged_url, paginate, path_alternates};
use crate::member::{Member, KINDS};
use crate::site::Site;
use crate::views::{Context, Link};

/// Where the members' directory is, under each language's prefix.
pub const MEMBERS_PATH: &str = "/members/";

/// Regions in the order the directory lists them; members with none come last.
const REGIONS: [&str; 6] = [
    "africa",
    "asia-pacific",
    "eastern-europe",
    "grulac",
    "weog",
    "global",
];

/// A member as its page and the directory show it, in one reader's language.
#[derive(Serialize)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub url: String,
    pub kind: String,
    pub kind_label: String,
    pub region: Option<String>,
    pub region_label: Option<String>,
    pub country: Option<String>,
    pub website: Option<String>,
    pub contact: Option<String>,
    pub licence: Option<String>,
    /// How many pages it has published in the site.
    pub count: usize,
}

pub fn directory_url(context: &Context, lang: &str) -> String {
    format!("{}{MEMBERS_PATH}", context.config.lang_prefix(lang))
}

pub fn member_url(context: &Context, lang: &str, id: &str) -> String {
    format!("{}{MEMBERS_PATH}{id}/", context.config.lang_prefix(lang))
}

/// The member of source `source` (as in `Config::sources`).
fn member<'a>(context: &'a Context, source: usize) -> Option<&'a Member> {
    context.sources.get(source + 1)?.member.as_ref()
}

/// "Published by": the member whose tree an entry comes from, linked to its page.
pub fn published_by(context: &Context, key: &str, lang: &str) -> Option<Link> {
    let source = context.config.source_index(key)?;
    let member = member(context, source)?;
    Some(Link {
        title: member.name_in(lang).to_string(),
        url: member_url(context, lang, &context.config.sources[source].id),
    })
}

fn view(context: &Context, site: &Site, source: usize, lang: &str) -> Option<MemberView> {
    let member = member(context, source)?;
    let id = &context.config.sources[source].id;
    Some(MemberView {
        id: id.clone(),
        name: member.name_in(lang).to_string(),
        url: member_url(context, lang, id),
        kind: member.kind.clone(),
        kind_label: context.label(lang, "member-kind", &member.kind),
        region: member.region.clone(),
        region_label: member
            .region
            .as_ref()
            .map(|r| context.label(lang, "region", r)),
        country: member.country.clone(),
        website: member.website.clone(),
        contact: member.contact.clone(),
        licence: member.licence.clone(),
        count: site.member_pages.get(source).map_or(0, Vec::len),
    })
}

/// The members' files: the directory and each member's pages, in every language.
pub fn jobs(context: &Context, site: &Site, jobs: &mut Vec<Job>, lang: usize) {
    if context.config.sources.is_empty() {
        return;
    }
    jobs.push(Job::Members { lang });
    let per_page = context.config.per_page;
    for (member, pages) in site.member_pages.iter().enumerate() {
        let count = pages.len().div_ceil(per_page).max(1);
        jobs.extend((1..=count).map(|page| Job::Member { member, lang, page }));
    }
}

impl Templates {
    pub(super) fn render_members(
        &self,
        context: &Context,
        site: &Site,
        l: &LanguageShared,
        url: &str,
    ) -> (&'static str, Value) {
        let lang = l.code.as_str();
        let views: Vec<MemberView> = (0..context.config.sources.len())
            .filter_map(|i| view(context, site, i, lang))
            .collect();
        let kinds: Vec<Value> = KINDS
            .iter()
            .filter_map(|kind| {
                let of_kind: Vec<&MemberView> = views.iter().filter(|m| m.kind == *kind).collect();
                if of_kind.is_empty() {
                    return None;
                }
                let region_order = |m: &&MemberView| {
                    m.region
                        .as_deref()
                        .and_then(|r| REGIONS.iter().position(|x| *x == r))
                        .unwrap_or(REGIONS.len())
                };
                let mut sorted = of_kind;
                sorted.sort_by(|a, b| {
                    region_order(a)
                        .cmp(&region_order(b))
                        .then_with(|| a.region.cmp(&b.region))
                        .then_with(|| a.name.cmp(&b.name))
                });
                let mut regions: Vec<Value> = Vec::new();
                for group in sorted.chunk_by(|a, b| a.region == b.region) {
                    let label = match &group[0].region_label {
                        Some(label) => label.clone(),
                        None => self.message(lang, "member-region-none", None, "members.html"),
                    };
                    regions.push(context! { region => group[0].region.clone(), label, members => Value::from_serialize(group) });
                }
                let title = self.message(lang, &format!("member-kind-{kind}"), None, "members.html");
                Some(context! { kind => *kind, title, regions })
            })
            .collect();
        let title = self.message(lang, "members-title", None, "members.html");
        let ctx = context! { ..l.base.clone(), ..context! {
            directory => context! { title, kinds, count => views.len() }, current_url => url,
            canonical => format!("{}{url}", context.config.base_url), languages => context.switcher_for_path(MEMBERS_PATH, lang),
            alternates => path_alternates(context, MEMBERS_PATH), breadcrumbs => home_crumb(context, lang),
        } };
        ("members.html", ctx)
    }

    pub(super) fn render_member(
        &self,
        context: &Context,
        site: &Site,
        l: &LanguageShared,
        (source, page): (usize, usize),
        url: &str,
    ) -> (&'static str, Value) {
        let lang = l.code.as_str();
        let member = view(context, site, source, lang);
        let id = &context.config.sources[source].id;
        let path = format!("{MEMBERS_PATH}{id}/");
        let all = site
            .member_pages
            .get(source)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let base_url = member_url(context, lang, id);
        let (pages, paginator) =
            paginate(all, page, context.config.per_page, &base_url, &l.summaries);
        let mut crumbs = home_crumb(context, lang);
        crumbs.push(Link {
            title: self.message(lang, "members-title", None, "member.html"),
            url: directory_url(context, lang),
        });
        let ctx = context! { ..l.base.clone(), ..context! {
            member => Value::from_serialize(&member), directory_url => directory_url(context, lang), pages, paginator,
            current_url => url, canonical => format!("{}{url}", context.config.base_url),
            languages => context.switcher_for_path(&path, lang), alternates => path_alternates(context, &path), breadcrumbs => crumbs,
        } };
        ("member.html", ctx)
    }
}

/// The URL of a members' file.
pub fn job_url(context: &Context, job: &Job) -> Option<String> {
    let code = |lang: usize| context.config.languages[lang].code.as_str();
    match *job {
        Job::Members { lang } => Some(directory_url(context, code(lang))),
        Job::Member { member, lang, page } => Some(paged_url(
            &member_url(context, code(lang), &context.config.sources[member].id),
            page,
        )),
        _ => None,
    }
}
