//! permscope: catalogs of Huawei Cloud APIs and the IAM actions they need, policies, their evaluation,
//! search and analysis. The engine modules touch no terminal; `cli` (the subcommands) and `tui` (the
//! full-screen explorer) are layers on top of them.

pub mod action;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod diff;
pub mod draft;
pub mod error;
pub mod eval;
pub mod formats;
pub mod fsutil;
pub mod fuzz;
pub mod input;
pub mod json;
pub mod lint;
pub mod locale;
pub mod lookup;
pub mod policy;
pub mod search;
pub mod suggest;
pub mod import;
pub mod synth;
pub mod text;
pub mod tui;
