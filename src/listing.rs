//! Listings' parts: pagination, section cards, term labels, breadcrumbs and alternates.

use minijinja::{context, Value};

use crate::content::page_url;
use crate::site::Site;
use crate::views::{Context, Link};

pub fn paged_url(base: &str, page: usize) -> String {
    if page <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{page}/")
    }
}

/// The page numbers a listing links: the first, the last and two either side of the current
/// one, with `None` for each gap. Linking every page would make long listings quadratic.
pub fn page_window(page: usize, total: usize) -> Vec<Option<usize>> {
    let mut window = Vec::new();
    for n in 1..=total {
        if n == 1 || n == total || n.abs_diff(page) <= 2 {
            window.push(Some(n));
        } else if window.last() != Some(&None) {
            window.push(None);
        }
    }
    window
}

/// One page of a listing and the links to the others.
pub fn paginate(
    all: &[usize],
    page: usize,
    per_page: usize,
    base: &str,
    summaries: &[Value],
) -> (Vec<Value>, Value) {
    let total = all.len().div_ceil(per_page).max(1);
    let pages: Vec<Value> = all
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|&i| summaries[i].clone())
        .collect();
    let links: Vec<Value> = page_window(page, total)
        .into_iter()
        .map(|n| match n {
            Some(n) => context! { number => n, url => paged_url(base, n), current => n == page, gap => false },
            None => context! { gap => true },
        })
        .collect();
    let paginator = context! {
        current => page, total, count => all.len(),
        previous_url => (page > 1).then(|| paged_url(base, page - 1)),
        next_url => (page < total).then(|| paged_url(base, page + 1)),
        pages => links,
    };
    (pages, paginator)
}

pub fn section_card(context: &Context, site: &Site, index: usize, lang: &str) -> Value {
    let entry = &context.content.entries[index];
    let (doc, fallback) = entry.doc_for(lang);
    let count = site.totals.get(&entry.key).copied().unwrap_or(0);
    context! {
        title => doc.front.title.clone().unwrap_or_default(), url => entry.url(context.config, lang), description => doc.front.description.clone(),
        lang => doc.lang.clone(), dir => context.config.language(&doc.lang).map_or("ltr", |l| l.direction.as_str()), fallback, count,
    }
}

pub fn term_label(context: &Context, taxonomy: &str, term: &str, lang: &str) -> String {
    match taxonomy {
        "group" => context.group_name(lang, term),
        "year" => term.to_string(),
        "source" => source_name(context, term, lang),
        "site" => site_title(context, term, lang),
        other => context.label(lang, other, term),
    }
}

/// A member's name, from this site's sources or the included sites' exports; else its id.
fn source_name(context: &Context, id: &str, lang: &str) -> String {
    if let Some(member) = context
        .sources
        .iter()
        .find(|t| t.id == id)
        .and_then(|t| t.member.as_ref())
    {
        return member.name_in(lang).to_string();
    }
    context
        .included
        .iter()
        .find_map(|i| i.site.members.get(id).cloned())
        .unwrap_or_else(|| id.to_string())
}

/// A site's title in `lang` (or its first language), by the `site` facet's id.
fn site_title(context: &Context, id: &str, lang: &str) -> String {
    if id == crate::search::site_id(context.config) {
        return context.site_title(lang);
    }
    context
        .included
        .iter()
        .find(|i| i.site.id == id)
        .and_then(|i| {
            i.site
                .titles
                .get(lang)
                .or_else(|| i.site.titles.values().next())
                .cloned()
        })
        .unwrap_or_else(|| id.to_string())
}

/// The home's "browse" boxes: each taxonomy with its terms.
pub fn browse(context: &Context, site: &Site, lang: &str) -> Vec<Value> {
    site.taxonomies
        .iter()
        .filter(|t| t.name != "group")
        .map(|t| {
            let url = format!("{}/{}/", context.config.lang_prefix(lang), t.slug);
            let terms: Vec<Value> = t.terms.iter().map(|(term, pages)| context! { label => term_label(context, &t.name, term, lang), url => format!("{url}{term}/"), count => pages.len() }).collect();
            context! { name => t.name.clone(), url, terms }
        })
        .collect()
}

pub fn home_crumb(context: &Context, lang: &str) -> Vec<Link> {
    vec![Link {
        title: context.site_title(lang),
        url: page_url(context.config, lang, ""),
    }]
}

/// `hreflang` links: one per real translation, and `x-default` for the default language's URL.
pub fn alternates(context: &Context, entry: &crate::content::Entry) -> Vec<Value> {
    let base = &context.config.base_url;
    let mut links: Vec<Value> = context.config.languages.iter().filter(|l| entry.docs.contains_key(&l.code)).map(|l| context! { hreflang => l.code.clone(), href => format!("{base}{}", entry.url(context.config, &l.code)) }).collect();
    links.push(context! { hreflang => "x-default", href => format!("{base}{}", entry.url(context.config, &context.config.default_language)) });
    links
}

pub fn path_alternates(context: &Context, path: &str) -> Vec<Value> {
    let base = &context.config.base_url;
    let mut links: Vec<Value> = context.config.languages.iter().map(|l| context! { hreflang => l.code.clone(), href => format!("{base}{}{path}", context.config.lang_prefix(&l.code)) }).collect();
    links.push(context! { hreflang => "x-default", href => format!("{base}{path}") });
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_links_a_window_around_the_current_page() {
        let cases = [
            (1, 1, vec![Some(1)]),
            (1, 3, vec![Some(1), Some(2), Some(3)]),
            (1, 9, vec![Some(1), Some(2), Some(3), None, Some(9)]),
            (
                5,
                9,
                vec![
                    Some(1),
                    None,
                    Some(3),
                    Some(4),
                    Some(5),
                    Some(6),
                    Some(7),
                    None,
                    Some(9),
                ],
            ),
            (9, 9, vec![Some(1), None, Some(7), Some(8), Some(9)]),
        ];
        for (page, total, expected) in cases {
            assert_eq!(page_window(page, total), expected, "page {page} of {total}");
        }
    }
}
