//! Turns the site into HTML through the theme's minijinja templates and the Fluent strings.

use std::path::PathBuf;

use fluent_bundle::FluentArgs;
use minijinja::context;
use minijinja::value::Value;

use crate::content::{page_url, EntryKind};
use crate::diag::Diagnostic;
use crate::listing::{
    alternates, browse, home_crumb, paged_url, paginate, path_alternates, section_card, term_label,
};
use crate::output::Sink;
use crate::site::Site;
use crate::views::{self, Context, Link};

pub mod dashboard;
pub mod members;

mod templates;
use templates::template_diagnostic;
pub use templates::{
    compile, list_files, load_templates, Problems, TemplateFile, Templates, REQUIRED_TEMPLATES,
    TEMPLATES_DIR, THEMES_DIR,
};

/// One file to render.
#[derive(Debug, Clone, Copy)]
pub enum Job {
    Home {
        lang: usize,
    },
    Page {
        entry: usize,
        lang: usize,
    },
    Section {
        entry: usize,
        lang: usize,
        page: usize,
    },
    Taxonomy {
        taxonomy: usize,
        lang: usize,
    },
    Term {
        taxonomy: usize,
        term: usize,
        lang: usize,
        page: usize,
    },
    NotFound {
        lang: usize,
    },
    /// The search page with no query; the server renders it with results.
    Search {
        lang: usize,
    },
    /// The directory of members, by kind and region.
    Members {
        lang: usize,
    },
    /// A member's page: who it is and what it has published (`member` as in `Config::sources`).
    Member {
        member: usize,
        lang: usize,
        page: usize,
    },
    /// The translation dashboard.
    Dashboard {
        lang: usize,
    },
}

/// What one language's pages share, built once.
struct LanguageShared {
    code: String,
    base: Value,
    summaries: Vec<Value>,
    top_sections: Vec<usize>,
}

impl Templates {
    /// Renders every page into `sink`, in parallel; returns how many files were written.
    pub fn render_site(
        &self,
        context: &Context,
        site: &Site,
        sink: &dyn Sink,
        progress: &(dyn Fn() + Sync),
    ) -> anyhow::Result<usize> {
        let summaries: Vec<Vec<Value>> = context
            .config
            .languages
            .iter()
            .map(|l| views::summaries(context, &l.code))
            .collect();
        let jobs = self.plan(context, site);
        self.render_jobs(context, site, &jobs, summaries, &|path, html| {
            sink.put(path, html.as_bytes())?;
            progress();
            Ok(())
        })?;
        Ok(jobs.len())
    }

    /// Every file the site has, in a fixed order.
    pub fn plan(&self, context: &Context, site: &Site) -> Vec<Job> {
        jobs(context, site, self.writes_search_page(context))
    }

    /// Renders `jobs` in parallel and hands each file to `done` (a job whose template fails
    /// is left out; `problems` says why). `summaries` are `views::summaries` per language.
    pub fn render_jobs(
        &self,
        context: &Context,
        site: &Site,
        jobs: &[Job],
        summaries: Vec<Vec<Value>>,
        done: &(dyn Fn(&str, &str) -> anyhow::Result<()> + Sync),
    ) -> anyhow::Result<()> {
        let shared: Vec<LanguageShared> = context
            .config
            .languages
            .iter()
            .zip(summaries)
            .map(|(l, summaries)| language_shared(context, site, &l.code, summaries))
            .collect();
        crate::parallel::try_for_each(jobs, |job| {
            if let Some((path, html)) = self.render_job(job, context, site, &shared) {
                done(&path, &html)?;
            }
            Ok(())
        })
    }

    pub fn count_jobs(&self, context: &Context, site: &Site) -> usize {
        jobs(context, site, self.writes_search_page(context)).len()
    }

    /// A search page is written when there is an index to search and the theme has one.
    fn writes_search_page(&self, context: &Context) -> bool {
        context.config.search_index && self.has_search_page()
    }

    /// Missing messages and template errors met while rendering, each once.
    pub fn problems(&self) -> Vec<Diagnostic> {
        self.problems.take()
    }

    /// The search page in `lang` showing `search` (see `search_page::view`); for the server.
    pub fn render_search_page(
        &self,
        context: &Context,
        site: &Site,
        lang: &str,
        search: Value,
    ) -> anyhow::Result<String> {
        let top_sections = site.subsections.get("").cloned().unwrap_or_default();
        let base = language_base(context, &top_sections, lang);
        let ctx = search_context(context, base, lang, search);
        self.env
            .get_template(SEARCH_TEMPLATE)
            .and_then(|t| t.render(ctx))
            .map_err(|e| anyhow::anyhow!("the search page cannot be rendered: {e:#}"))
    }

    /// Whether the theme has a search page.
    pub fn has_search_page(&self) -> bool {
        self.env.get_template(SEARCH_TEMPLATE).is_ok()
    }
}

const SEARCH_TEMPLATE: &str = "search.html";

fn language_shared(
    context: &Context,
    site: &Site,
    lang: &str,
    summaries: Vec<Value>,
) -> LanguageShared {
    let top_sections = site.subsections.get("").cloned().unwrap_or_default();
    let base = language_base(context, &top_sections, lang);
    LanguageShared {
        code: lang.to_string(),
        base,
        summaries,
        top_sections,
    }
}

/// The URL of the file a job renders.
pub fn job_url(job: &Job, context: &Context, site: &Site) -> String {
    let config = context.config;
    let code = |lang: usize| config.languages[lang].code.as_str();
    match *job {
        Job::Home { lang } => page_url(config, code(lang), ""),
        Job::Page { entry, lang } => context.content.entries[entry].url(config, code(lang)),
        Job::Section { entry, lang, page } => paged_url(
            &context.content.entries[entry].url(config, code(lang)),
            page,
        ),
        Job::Taxonomy { taxonomy, lang } => {
            format!(
                "{}/{}/",
                config.lang_prefix(code(lang)),
                site.taxonomies[taxonomy].slug
            )
        }
        Job::Term {
            taxonomy,
            term,
            lang,
            page,
        } => {
            let tax = &site.taxonomies[taxonomy];
            let base = format!(
                "{}/{}/{}/",
                config.lang_prefix(code(lang)),
                tax.slug,
                tax.terms[term].0
            );
            paged_url(&base, page)
        }
        Job::Search { lang } => format!(
            "{}{}",
            config.lang_prefix(code(lang)),
            crate::search_page::SEARCH_PATH
        ),
        Job::NotFound { lang } => format!("{}/404.html", config.lang_prefix(code(lang))),
        Job::Members { .. } | Job::Member { .. } => {
            members::job_url(context, job).unwrap_or_default()
        }
        Job::Dashboard { lang } => dashboard::job_url(context, lang),
    }
}

fn search_context(context: &Context, base: Value, lang: &str, search: Value) -> Value {
    let path = crate::search_page::SEARCH_PATH;
    let url = format!("{}{path}", context.config.lang_prefix(lang));
    context! { ..base, ..context! {
        search, current_url => url.clone(), canonical => format!("{}{url}", context.config.base_url),
        languages => context.switcher_for_path(path, lang), alternates => path_alternates(context, path),
        breadcrumbs => home_crumb(context, lang),
    } }
}

/// What every page in a language shows around its content: language, site, menu.
fn language_base(context: &Context, top_sections: &[usize], lang: &str) -> Value {
    {
        let menu = context.menu(top_sections, lang);
        let language = context.language_view(lang);
        context! {
            base_path => context.config.base_path.clone(),
            lang => language,
            site => context! {
                title => context.site_title(lang),
                description => context.config.description.clone(),
                base_url => context.config.base_url.clone(),
                home_url => page_url(context.config, lang, ""),
                feed_url => format!("{}/atom.xml", context.config.lang_prefix(lang)),
                // Empty when the site has no search index, so themes can leave the form out.
                search_url => if context.config.search_index { format!("{}{}", context.config.lang_prefix(lang), crate::search_page::SEARCH_PATH) } else { String::new() },
                // Empty when the site has no member sources.
                members_url => if context.config.sources.is_empty() { String::new() } else { members::directory_url(context, lang) },
                taxonomies => context.config.taxonomies.iter().map(|t| context! { name => t, url => format!("{}/{t}s/", context.config.lang_prefix(lang)) }).collect::<Vec<_>>(),
            },
            menu => menu,
        }
    }
}

impl Templates {
    fn render_job(
        &self,
        job: &Job,
        context: &Context,
        site: &Site,
        shared: &[LanguageShared],
    ) -> Option<(String, String)> {
        let config = context.config;
        let url = job_url(job, context, site);
        let (template, ctx) = match *job {
            Job::Home { lang } => {
                let l = &shared[lang];
                let home = context
                    .content
                    .get("")
                    .filter(|e| e.kind == EntryKind::Section);
                let section = home
                    .map(|e| Value::from_serialize(context.page(index_of(context, e), &l.code)));
                let newest: Vec<Value> = site
                    .newest
                    .iter()
                    .take(config.per_page)
                    .map(|&i| l.summaries[i].clone())
                    .collect();
                let sections: Vec<Value> = l
                    .top_sections
                    .iter()
                    .map(|&i| section_card(context, site, i, &l.code))
                    .collect();
                let switcher = match home {
                    Some(e) => context.switcher(e, &l.code),
                    None => context.switcher_for_path("/", &l.code),
                };
                let alternates = match home {
                    Some(e) => alternates(context, e),
                    None => Vec::new(),
                };
                (
                    "index.html",
                    context! { ..l.base.clone(), ..context! { section, newest, sections, current_url => url, languages => switcher, alternates, browse => browse(context, site, &l.code) } },
                )
            }
            Job::Page { entry, lang } => {
                let l = &shared[lang];
                let e = &context.content.entries[entry];
                let page = context.page(entry, &l.code);
                let canonical = if page.fallback {
                    page.original
                        .as_ref()
                        .map(|o| format!("{}{}", config.base_url, o.url))
                } else {
                    Some(page.permalink.clone())
                };
                let ctx = context! { ..l.base.clone(), ..context! {
                    page => Value::from_serialize(&page), current_url => url.clone(), canonical, languages => context.switcher(e, &l.code),
                    alternates => alternates(context, e), breadcrumbs => context.breadcrumbs(e, &l.code),
                } };
                ("page.html", ctx)
            }
            Job::Section { entry, lang, page } => {
                let l = &shared[lang];
                let e = &context.content.entries[entry];
                let section = context.page(entry, &l.code);
                let all = site
                    .section_pages
                    .get(&e.key)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let base_url = section.url.clone();
                let (pages, paginator) =
                    paginate(all, page, config.per_page, &base_url, &l.summaries);
                let subsections: Vec<Value> = site
                    .subsections
                    .get(&e.key)
                    .map(|s| {
                        s.iter()
                            .map(|&i| section_card(context, site, i, &l.code))
                            .collect()
                    })
                    .unwrap_or_default();
                let canonical = if section.fallback {
                    section
                        .original
                        .as_ref()
                        .map(|o| format!("{}{}", config.base_url, o.url))
                } else {
                    Some(format!("{}{url}", config.base_url))
                };
                let ctx = context! { ..l.base.clone(), ..context! {
                    section => Value::from_serialize(&section), pages, paginator, subsections, current_url => url.clone(), canonical,
                    languages => context.switcher(e, &l.code), alternates => alternates(context, e), breadcrumbs => context.breadcrumbs(e, &l.code),
                } };
                ("section.html", ctx)
            }
            Job::Taxonomy { taxonomy, lang } => {
                let l = &shared[lang];
                let tax = &site.taxonomies[taxonomy];
                let path = format!("/{}/", tax.slug);
                let terms: Vec<Value> = tax.terms.iter().map(|(term, pages)| context! { label => term_label(context, &tax.name, term, &l.code), url => format!("{url}{term}/"), count => pages.len() }).collect();
                let title = self.message(
                    &l.code,
                    &format!("taxonomy-{}", tax.name),
                    None,
                    "taxonomy.html",
                );
                let ctx = context! { ..l.base.clone(), ..context! {
                    taxonomy => context! { name => tax.name.clone(), title, url => url.clone(), terms }, current_url => url.clone(),
                    canonical => format!("{}{url}", config.base_url), languages => context.switcher_for_path(&path, &l.code),
                    alternates => path_alternates(context, &path), breadcrumbs => home_crumb(context, &l.code),
                } };
                ("taxonomy.html", ctx)
            }
            Job::Term {
                taxonomy,
                term,
                lang,
                page,
            } => {
                let l = &shared[lang];
                let tax = &site.taxonomies[taxonomy];
                let (slug, all) = &tax.terms[term];
                let path = format!("/{}/{slug}/", tax.slug);
                let base_url = format!("{}{path}", config.lang_prefix(&l.code));
                let label = term_label(context, &tax.name, slug, &l.code);
                let mut args = FluentArgs::new();
                args.set(tax.name.clone(), label.clone());
                let title = self.message(
                    &l.code,
                    &format!("{}-page-title", tax.name),
                    Some(&args),
                    "term.html",
                );
                let (pages, paginator) =
                    paginate(all, page, config.per_page, &base_url, &l.summaries);
                let tax_url = format!("{}/{}/", config.lang_prefix(&l.code), tax.slug);
                let tax_title = self.message(
                    &l.code,
                    &format!("taxonomy-{}", tax.name),
                    None,
                    "term.html",
                );
                let mut crumbs = home_crumb(context, &l.code);
                crumbs.push(Link {
                    title: tax_title.clone(),
                    url: tax_url.clone(),
                });
                let ctx = context! { ..l.base.clone(), ..context! {
                    taxonomy => context! { name => tax.name.clone(), title => tax_title, url => tax_url }, term => context! { slug => slug.clone(), label, title, count => all.len() },
                    pages, paginator, current_url => url.clone(), canonical => format!("{}{url}", config.base_url),
                    languages => context.switcher_for_path(&path, &l.code), alternates => path_alternates(context, &path), breadcrumbs => crumbs,
                } };
                ("term.html", ctx)
            }
            Job::Search { lang } => {
                let l = &shared[lang];
                let request =
                    crate::search_page::request_from_query("", &l.code).unwrap_or_default();
                let search = crate::search_page::view(context, &l.code, &request, None);
                let ctx = search_context(context, l.base.clone(), &l.code, search);
                (SEARCH_TEMPLATE, ctx)
            }
            Job::NotFound { lang } => {
                let l = &shared[lang];
                let ctx = context! { ..l.base.clone(), ..context! { current_url => url.clone(), languages => context.switcher_for_path("/404.html", &l.code), alternates => Vec::<Value>::new() } };
                ("404.html", ctx)
            }
            Job::Members { lang } => self.render_members(context, site, &shared[lang], &url),
            Job::Member { member, lang, page } => {
                self.render_member(context, site, &shared[lang], (member, page), &url)
            }
            Job::Dashboard { lang } => self.render_dashboard(context, &shared[lang], &url),
        };
        let path = output_path(&url);
        match self.env.get_template(template).and_then(|t| t.render(ctx)) {
            Ok(html) => Some((path, html)),
            Err(e) => {
                let shown = self
                    .shown
                    .get(template)
                    .cloned()
                    .unwrap_or_else(|| PathBuf::from(template));
                self.problems.add(as_error(template_diagnostic(
                    &e,
                    &shown,
                    None,
                    &self.shown,
                    &self.env,
                )));
                None
            }
        }
    }

    fn message(&self, lang: &str, key: &str, args: Option<&FluentArgs>, template: &str) -> String {
        let (text, problems) = self.messages.format(lang, key, args);
        let shown = self
            .shown
            .get(template)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(template));
        for p in problems {
            self.problems.add(p.diagnostic(&shown));
        }
        text
    }
}

fn as_error(mut d: Diagnostic) -> Diagnostic {
    d.severity = crate::diag::Severity::Error;
    d
}

fn index_of(context: &Context, entry: &crate::content::Entry) -> usize {
    context
        .content
        .entries
        .binary_search_by(|e| e.key.cmp(&entry.key))
        .unwrap_or(0)
}

/// Every file to render, in a fixed order.
fn jobs(context: &Context, site: &Site, search_page: bool) -> Vec<Job> {
    let per_page = context.config.per_page;
    let page_count = |n: usize| n.div_ceil(per_page).max(1);
    let mut jobs = Vec::new();
    for lang in 0..context.config.languages.len() {
        jobs.push(Job::Home { lang });
        jobs.push(Job::NotFound { lang });
        if search_page {
            jobs.push(Job::Search { lang });
        }
        for (entry, e) in context.content.entries.iter().enumerate() {
            match e.kind {
                EntryKind::Page => jobs.push(Job::Page { entry, lang }),
                EntryKind::Section if e.key.is_empty() => {}
                EntryKind::Section => {
                    let n = site.section_pages.get(&e.key).map_or(0, Vec::len);
                    jobs.extend((1..=page_count(n)).map(|page| Job::Section { entry, lang, page }));
                }
            }
        }
        for (taxonomy, tax) in site.taxonomies.iter().enumerate() {
            jobs.push(Job::Taxonomy { taxonomy, lang });
            for (term, (_, pages)) in tax.terms.iter().enumerate() {
                jobs.extend((1..=page_count(pages.len())).map(|page| Job::Term {
                    taxonomy,
                    term,
                    lang,
                    page,
                }));
            }
        }
        members::jobs(context, site, &mut jobs, lang);
        dashboard::jobs(context, &mut jobs, lang);
    }
    jobs
}

/// `/fr/bpf/` -> `fr/bpf/index.html`; `/fr/404.html` stays a file.
pub fn output_path(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_files() {
        let cases = [
            ("/", "index.html"),
            ("/fr/", "fr/index.html"),
            ("/bpf/x/", "bpf/x/index.html"),
            ("/fr/404.html", "fr/404.html"),
            ("/bpf/page/2/", "bpf/page/2/index.html"),
        ];
        for (url, path) in cases {
            assert_eq!(output_path(url), path, "{url}");
        }
    }
}
