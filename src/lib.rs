//! Plenary builds the multilingual site of the IGF's intersessional work from its content tree.

pub mod analysis;
pub mod body_store;
pub mod build;
pub mod builtin;
pub mod config;
pub mod content;
pub mod diag;
pub mod facet_counts;
pub mod feeds;
pub mod frontmatter;
pub mod i18n;
pub mod listing;
pub mod live;
pub mod markdown;
pub mod output;
pub mod parallel;
pub mod query;
pub mod rebuild;
pub mod render;
pub mod search;
pub mod search_page;
pub mod serve;
pub mod site;
pub mod views;
pub mod watch;
