//! permscope's engine: catalogs of Huawei Cloud APIs and the IAM actions they need, policies, their
//! evaluation, and search. Nothing here touches a terminal; the explorer and the CLI are layers on top.

pub mod action;
pub mod catalog;
pub mod error;
pub mod eval;
pub mod input;
pub mod json;
pub mod policy;
pub mod search;
pub mod fsutil;
pub mod text;
pub mod suggest;
pub mod locale;
pub mod cli;
pub mod import;
pub mod synth;
