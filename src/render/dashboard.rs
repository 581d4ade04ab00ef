//! The translation dashboard: per language, what is translated, and the pages and interface messages still to do.

use minijinja::context;
use minijinja::value::Value;

use super::{Job, LanguageShared, Templates};
use crate::listing::{home_crumb, path_alternates};
use crate::views::Context;

/// Where the dashboard is, under each language's prefix.
pub const DASHBOARD_PATH: &str = "/translations/";

pub fn jobs(context: &Context, jobs: &mut Vec<Job>, lang: usize) {
    if context.config.translation_dashboard {
        jobs.push(Job::Dashboard { lang });
    }
}

pub fn job_url(context: &Context, lang: usize) -> String {
    format!(
        "{}{DASHBOARD_PATH}",
        context
            .config
            .lang_prefix(&context.config.languages[lang].code)
    )
}

impl Templates {
    pub(super) fn render_dashboard(
        &self,
        context: &Context,
        l: &LanguageShared,
        url: &str,
    ) -> (&'static str, Value) {
        let status = crate::translations::status_of(context, &[], None);
        let languages: Vec<Value> = status
            .iter()
            .map(|s| {
                let label = context
                    .config
                    .language(&s.lang)
                    .map_or(s.lang.clone(), |l| l.label.clone());
                context! { code => s.lang.clone(), label, dir => context.language_view(&s.lang).dir, status => Value::from_serialize(s) }
            })
            .collect();
        let title = self.message(&l.code, "dashboard-title", None, "translations.html");
        let ctx = context! { ..l.base.clone(), ..context! {
            dashboard => context! { title, languages }, current_url => url,
            canonical => format!("{}{url}", context.config.base_url), languages => context.switcher_for_path(DASHBOARD_PATH, &l.code),
            alternates => path_alternates(context, DASHBOARD_PATH), breadcrumbs => home_crumb(context, &l.code),
        } };
        ("translations.html", ctx)
    }
}
