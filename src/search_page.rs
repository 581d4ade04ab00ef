//! The search page and the HTTP API's parameters: reading a query string into a request, and
//! what `search.html` shows for a request and its answer, in the reader's language.

use std::collections::BTreeMap;

use minijinja::context;
use minijinja::value::Value;

use crate::listing::term_label;
use crate::query::{Invalid, Request, Response};
use crate::search::FACETS;
use crate::url;
use crate::views::Context;

/// Where each language's search page lives, after the language prefix.
pub const SEARCH_PATH: &str = "/search/";
const PER_PAGE: usize = 10;

/// Reads `q`, `lang`, the facet filters, `page` and `per_page` from a URL's query string.
/// Other parameters are ignored (links often carry tracking ones); a page number that is not
/// a number is the caller's mistake. The language and filter names are checked by the search.
pub fn request_from_query(query: &str, default_lang: &str) -> Result<Request, Invalid> {
    let mut request = Request {
        lang: default_lang.to_string(),
        page: 1,
        per_page: PER_PAGE,
        ..Default::default()
    };
    for (name, value) in parse_query_string(query) {
        match name.as_str() {
            "q" => request.query = value,
            "lang" if !value.is_empty() => request.lang = value,
            "page" | "per_page" => {
                let number: usize = value.trim().parse().map_err(|_| {
                    Invalid(format!("`{name}` must be a whole number, got `{value}`"))
                })?;
                if name == "page" {
                    request.page = number.max(1);
                } else {
                    request.per_page = number.clamp(1, crate::query::MAX_PER_PAGE);
                }
            }
            facet if FACETS.contains(&facet) && !value.is_empty() => {
                request.filters.push((name, value));
            }
            _ => {}
        }
    }
    Ok(request)
}

/// `name=value` pairs, percent-decoded, `+` read as a space; bytes that are not UTF-8 are
/// replaced rather than refused.
pub fn parse_query_string(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (url::decode_query(name), url::decode_query(value))
        })
        .collect()
}

/// The search page's URL in `lang` for a request (the page number left out when it is 1).
pub fn search_url(context: &Context, lang: &str, request: &Request) -> String {
    let mut params = vec![
        format!("q={}", url::encode(&request.query)),
        format!("lang={}", url::encode(&request.lang)),
    ];
    for (name, value) in &request.filters {
        params.push(format!("{name}={}", url::encode(value)));
    }
    if request.page > 1 {
        params.push(format!("page={}", request.page));
    }
    format!(
        "{}{SEARCH_PATH}?{}",
        context.config.lang_prefix(lang),
        params.join("&")
    )
}

/// What `search.html` gets as `search`: the request, and its answer once there is one.
pub fn view(
    context: &Context,
    lang: &str,
    request: &Request,
    answer: Option<&Result<Response, Invalid>>,
) -> Value {
    let config = context.config;
    let all_label = context
        .messages
        .get(lang, "search-all-languages")
        .unwrap_or_else(|| "All languages".to_string());
    let page_dir = config
        .language(lang)
        .map_or("ltr", |l| l.direction.as_str());
    let mut languages = vec![
        context! { code => "all", label => all_label, selected => request.lang == "all", dir => page_dir },
    ];
    languages.extend(config.languages.iter().map(
        |l| context! { code => l.code.clone(), label => l.label.clone(), selected => l.code == request.lang, dir => l.direction.as_str() },
    ));
    let language_labels: BTreeMap<String, String> = config
        .languages
        .iter()
        .map(|l| (l.code.clone(), l.label.clone()))
        .collect();
    let filters: BTreeMap<String, String> = request.filters.iter().cloned().collect();
    let (response, error) = match answer {
        Some(Ok(response)) => (Some(response), None),
        Some(Err(Invalid(message))) => (None, Some(message.clone())),
        None => (None, None),
    };
    let label = |facet: &str, value: &str| term_label(context, facet, value, lang);
    let mut labels: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    let mut facets = Vec::new();
    if let Some(response) = response {
        for name in FACETS {
            let Some(counts) = response.facets.get(name) else {
                continue;
            };
            let mut values: Vec<(&String, &u64)> = counts.iter().collect();
            values.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            let values: Vec<Value> = values
                .into_iter()
                .map(|(value, count)| {
                    let selected = filters.get(name) == Some(value);
                    let mut toggled = Request {
                        page: 1,
                        ..request.clone()
                    };
                    toggled.filters.retain(|(n, _)| n != name);
                    if !selected {
                        toggled.filters.push((name.to_string(), value.clone()));
                    }
                    let text = label(name, value);
                    labels
                        .entry(name)
                        .or_default()
                        .insert(value.clone(), text.clone());
                    context! { value => value.clone(), label => text, count => *count, selected, url => search_url(context, lang, &toggled) }
                })
                .collect();
            // One site alone is no choice: the site facet shows when others' pages are searched too.
            if !values.is_empty() && (name != "site" || values.len() > 1) {
                facets.push(context! { name => name, values });
            }
        }
    }
    // The script labels facet values it receives from the API: every value the site uses.
    for (name, values) in known_facet_values(context) {
        for value in values {
            let text = label(name, &value);
            labels.entry(name).or_default().insert(value, text);
        }
    }
    let total = response.map_or(0, |r| r.total);
    let per_page = response.map_or(request.per_page, |r| r.per_page);
    // Pages past the deepest that can be asked for are not offered.
    let pages = total
        .div_ceil(per_page.max(1))
        .clamp(1, crate::query::last_page(per_page));
    let page = request.page.max(1);
    let at_page = |page: usize| {
        search_url(
            context,
            lang,
            &Request {
                page,
                ..request.clone()
            },
        )
    };
    let hits: Vec<Value> = response
        .map(|r| {
            r.hits
                .iter()
                .map(|hit| {
                    let translations: Vec<Value> = hit
                        .translations
                        .iter()
                        .map(|(code, url)| context! { lang => code.clone(), label => language_labels.get(code).cloned().unwrap_or_else(|| code.clone()), url => url.clone() })
                        .collect();
                    context! {
                        url => hit.url.clone(), title => hit.title.clone(), lang => hit.lang.clone(),
                        lang_label => language_labels.get(&hit.lang).cloned().unwrap_or_else(|| hit.lang.clone()),
                        dir => config.language(&hit.lang).map_or("ltr", |l| l.direction.as_str()),
                        date => hit.date.clone(),
                        kind => hit.kind.clone(), kind_label => hit.kind.as_deref().map(|k| label("kind", k)),
                        group => hit.group.clone(), group_label => hit.group.as_deref().map(|g| label("group", g)),
                        excerpt => Value::from_safe_string(hit.excerpt.clone()),
                        translations,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    context! {
        action => format!("{}{SEARCH_PATH}", config.lang_prefix(lang)),
        api => "/_search",
        // Where the browser finds the index and the worker that searches it on a static host.
        index => config.search_index.then(|| format!("/{}/{}", crate::search::SEARCH_DIR, crate::search_browser::MANIFEST)),
        worker => "/search-worker.js",
        query => request.query.clone(),
        searched => !request.query.trim().is_empty(),
        lang => request.lang.clone(),
        languages,
        language_labels,
        filters,
        total,
        page,
        per_page,
        pages,
        prev_url => (response.is_some() && page > 1).then(|| at_page(page - 1)),
        next_url => (response.is_some() && page < pages).then(|| at_page(page + 1)),
        hits,
        facets,
        labels,
        error,
    }
}

/// Every value of every facet among the site's pages.
pub fn known_facet_values(context: &Context) -> BTreeMap<&'static str, Vec<String>> {
    let mut known: BTreeMap<&'static str, std::collections::BTreeSet<String>> = BTreeMap::new();
    for entry in &context.content.entries {
        let front = &entry.original_doc().front;
        let values = [
            ("kind", front.kind.iter().cloned().collect::<Vec<_>>()),
            ("group", front.group.iter().cloned().collect()),
            ("theme", front.themes.clone()),
            ("region", front.region.iter().cloned().collect()),
        ];
        for (name, list) in values {
            known.entry(name).or_default().extend(list);
        }
    }
    let sources = context.sources.iter().skip(1).map(|t| t.id.clone());
    known.entry("source").or_default().extend(sources);
    let mut sites = vec![crate::search::site_id(context.config)];
    for included in context.included {
        sites.push(included.site.id.clone());
        let members = included.docs.iter().filter_map(|d| d.source.clone());
        known.entry("source").or_default().extend(members);
    }
    known.entry("site").or_default().extend(sites);
    known
        .into_iter()
        .map(|(name, values)| (name, values.into_iter().collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_decoded_and_checked() {
        let request = request_from_query(
            "q=droits+de+l%27homme&lang=fr&kind=dc-paper&page=2&utm=x",
            "en",
        )
        .unwrap();
        assert_eq!(request.query, "droits de l'homme");
        assert_eq!(request.lang, "fr");
        assert_eq!(request.filters, [("kind".into(), "dc-paper".into())]);
        assert_eq!(request.page, 2);
        assert_eq!(
            request_from_query("q=x&page=two", "en").unwrap_err(),
            Invalid("`page` must be a whole number, got `two`".into())
        );
        // Broken escapes and bytes that are not UTF-8 are read, not refused.
        let odd = request_from_query("q=%E2%28%A1%zz%%C3%A9%", "en").unwrap();
        assert_eq!(odd.query, "\u{FFFD}(\u{FFFD}%zz%é%");
        assert_eq!(request_from_query("", "ar").unwrap().lang, "ar");
    }
}
