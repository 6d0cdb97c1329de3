//! The catalog: which IAM actions each API needs and in which authorization scopes they take effect.
//!
//! The format is public and documented in README.md; users write their own catalogs and load them with
//! `--catalog FILE`. The built-in catalog is the EVS snapshot permission table (EVS API reference,
//! "云硬盘快照", evs_04_0027), embedded in the binary.
//!
//! `service` is one lowercase service name such as `evs`, or for a catalog that covers several
//! services their names sorted and joined with commas, such as `ecs,evs,vpc`. `permscope catalog
//! import` writes the distinct services of all the catalog's actions in that form, whatever the order
//! of the pages. No verdict depends on the field, because every API lists its own actions.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::action::validate_action;
use crate::error::InputError;
use crate::json::Pos;

/// The built-in catalog's source text.
pub const BUILTIN_JSON: &str = include_str!("../assets/evs-snapshots.json");
pub const BUILTIN_NAME: &str = "<built-in EVS snapshot catalog>";

/// The HTTP methods an API may use.
pub const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Returns the columns a table's method column needs for `methods`: 6, the width of `METHOD` and of
/// every method but OPTIONS, or 7 when OPTIONS occurs.
pub fn method_columns<'a>(methods: impl IntoIterator<Item = &'a str>) -> usize {
    methods.into_iter().map(str::len).fold(6, usize::max)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub service: String,
    pub apis: Vec<Api>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    pub name: Name,
    pub method: String,
    /// The path template as the permission table writes it, such as `/v2/{project_id}/snapshots`.
    pub path: String,
    /// Other path templates that need the same authorization, such as the v3 twin of a v2 API.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The actions a caller needs, in the order the table lists them.
    pub actions: Vec<String>,
    pub scopes: Scopes,
}

/// The API's display name in Chinese and English; either may be empty but not both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Name {
    pub zh: String,
    pub en: String,
}

/// The scopes in which a grant of the API's actions takes effect: √ in the table's "IAM项目 (Project)" and
/// "企业项目 (Enterprise Project)" columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scopes {
    pub project: bool,
    pub enterprise_project: bool,
}

/// The authorization scope a policy is granted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Granted in IAM for a region's project.
    #[default]
    Project,
    /// Granted through Enterprise Project Management; APIs marked × there do not take effect.
    Enterprise,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Project => "project",
            Scope::Enterprise => "enterprise",
        }
    }

    pub fn toggled(self) -> Scope {
        match self {
            Scope::Project => Scope::Enterprise,
            Scope::Enterprise => Scope::Project,
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "project" => Ok(Scope::Project),
            "enterprise" | "enterprise_project" | "enterprise-project" => Ok(Scope::Enterprise),
            other => Err(format!("unknown scope `{other}`; use `project` or `enterprise`")),
        }
    }
}

/// The language of a display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Name {
    /// Returns the name in `lang`, falling back to the other language when that one is empty.
    pub fn get(&self, lang: Lang) -> &str {
        name_in(&self.zh, &self.en, lang)
    }
}

/// Returns `zh` or `en` by `lang`, falling back to the other when that one is empty, as
/// [`Name::get`] does for names kept outside a [`Name`].
pub fn name_in<'a>(zh: &'a str, en: &'a str, lang: Lang) -> &'a str {
    let (first, second) = match lang {
        Lang::Zh => (zh, en),
        Lang::En => (en, zh),
    };
    if first.is_empty() { second } else { first }
}

impl Api {
    pub fn supports(&self, scope: Scope) -> bool {
        match scope {
            Scope::Project => self.scopes.project,
            Scope::Enterprise => self.scopes.enterprise_project,
        }
    }

    /// `METHOD PATH`, the API's identity in messages and on the command line.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Returns the path and then each alias.
    pub fn templates(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

impl Catalog {
    /// Loads the catalog compiled into the binary.
    pub fn builtin() -> Catalog {
        // The unit test builtin_has_all_19_rows parses the embedded catalog, so a build that passes
        // its tests cannot fail here.
        Catalog::parse(BUILTIN_NAME, BUILTIN_JSON).expect("the built-in catalog is valid")
    }

    /// Parses and validates a catalog. `source_name` names the file in errors.
    pub fn parse(source_name: &str, text: &str) -> Result<Catalog, InputError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // NOTE: serde's derived Deserialize also accepts each struct as a JSON array of its fields in
        // order, so `["evs", [...]]` loads although the documented format uses objects.
        let catalog: Catalog = serde_json::from_str(text).map_err(|e| {
            let error = InputError::new(source_name, format!("invalid catalog: {}", strip_position(&e)));
            let error = if e.line() > 0 { error.at(char_position(text, e.line(), e.column())) } else { error };
            error.with_fix("see the catalog format in README.md")
        })?;
        catalog.validate(source_name)?;
        Ok(catalog)
    }

    /// Loads a catalog file.
    pub fn load(path: &str) -> Result<Catalog, InputError> {
        let (name, text) = crate::input::read_text(path, crate::input::MAX_CATALOG_BYTES)?;
        Catalog::parse(&name, &text)
    }

    fn validate(&self, source_name: &str) -> Result<(), InputError> {
        let fail = |message: String, fix: &str| Err(InputError::new(source_name, message).with_fix(fix));
        if self.service.is_empty()
            || !self.service.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == ',')
        {
            return fail(
                format!(
                    "invalid catalog: service {:?} must be a lowercase service name such as \"evs\", or several joined with commas",
                    self.service
                ),
                "set \"service\" to the service's lowercase name, such as \"evs\" or \"ecs,evs\"",
            );
        }
        if self.apis.is_empty() {
            return fail("invalid catalog: \"apis\" is empty".into(), "list at least one API");
        }
        if let Some((index, (reason, fix))) = first_invalid_api(&self.apis) {
            let api = &self.apis[index];
            return fail(format!("invalid catalog: API {} ({} {}): {reason}", index + 1, api.method, api.path), &fix);
        }
        let mut seen: HashMap<(&str, &str), usize> = HashMap::with_capacity(self.apis.len());
        for (index, api) in self.apis.iter().enumerate() {
            let place = || format!("invalid catalog: API {} ({} {})", index + 1, api.method, api.path);
            for template in api.templates() {
                if let Some(first) = seen.insert((api.method.as_str(), template), index) {
                    let message = format!("{}: `{} {template}` is already API {}", place(), api.method, first + 1);
                    return fail(message, "each method and path may appear only once; merge the two entries");
                }
            }
        }
        Ok(())
    }

    /// Returns every distinct action the catalog's APIs need, sorted.
    pub fn actions(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.apis.iter().flat_map(|api| api.actions.iter().map(String::as_str)).collect();
        set.into_iter().map(str::to_owned).collect()
    }

    /// Finds an API by method and path template (its path or an alias), ignoring the method's case.
    pub fn find(&self, method: &str, template: &str) -> Option<usize> {
        self.apis
            .iter()
            .position(|api| api.method.eq_ignore_ascii_case(method) && api.templates().any(|t| t == template))
    }
}

impl Api {
    /// Validates one API on its own: a name, an HTTP method, path templates and well-formed,
    /// distinct actions. Returns the reason and the fix.
    pub fn check(&self) -> Result<(), (String, String)> {
        if self.name.zh.trim().is_empty() && self.name.en.trim().is_empty() {
            return Err(("the name is empty".into(), "give the API a \"zh\" or \"en\" name".into()));
        }
        if !HTTP_METHODS.contains(&self.method.as_str()) {
            return Err((
                format!("method {:?} is not an HTTP method", self.method),
                format!("use one of {}", HTTP_METHODS.join(", ")),
            ));
        }
        for template in self.templates() {
            if !template.starts_with('/') || template.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err((
                    format!("path {template:?} must start with '/' and contain no spaces or control characters"),
                    "write the path template as the API reference does, such as /v2/{project_id}/snapshots".into(),
                ));
            }
        }
        if self.actions.is_empty() {
            return Err(("\"actions\" is empty".into(), "list every action the API needs".into()));
        }
        let mut seen = BTreeSet::new();
        for action in &self.actions {
            if let Err(e) = validate_action(action) {
                return Err((
                    format!("action {action:?} is malformed: {e}"),
                    "write actions as service:resourceType:operation, such as evs:snapshots:get".into(),
                ));
            }
            if !seen.insert(action.to_lowercase()) {
                return Err((format!("action {action:?} is listed twice"), "remove the duplicate".into()));
            }
        }
        Ok(())
    }
}

/// Converts a serde_json error position to a [`Pos`]. serde_json counts the column in bytes up to and
/// including the byte it stopped at, and gives 0 at the start of a line; a [`Pos`] counts characters
/// from 1, so the result names the character that contains that byte.
fn char_position(text: &str, line: usize, byte_column: usize) -> Pos {
    let line_text = text.split('\n').nth(line - 1).unwrap_or("");
    let column = line_text.char_indices().take_while(|(start, _)| *start < byte_column).count();
    Pos { line, column: column.max(1) }
}

/// Checks every API on its own and returns the first invalid one with its reason and fix. Catalogs of
/// 10,000 APIs or more are checked on all cores.
fn first_invalid_api(apis: &[Api]) -> Option<(usize, (String, String))> {
    let first_in = |offset: usize, apis: &[Api]| {
        apis.iter().enumerate().find_map(|(i, api)| api.check().err().map(|error| (offset + i, error)))
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(16);
    if apis.len() < 10_000 || threads == 1 {
        return first_in(0, apis);
    }
    let chunk = apis.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> =
            apis.chunks(chunk).enumerate().map(|(n, apis)| scope.spawn(move || first_in(n * chunk, apis))).collect();
        // Chunks are in catalog order, so the first error found in the first failing chunk is the first.
        workers.into_iter().find_map(|worker| worker.join().expect("a validation thread does not panic"))
    })
}

/// serde_json appends " at line L column C" to its messages; the position is reported separately.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api<'a>(catalog: &'a Catalog, method: &str, path: &str) -> &'a Api {
        let index = catalog.find(method, path).unwrap_or_else(|| panic!("{method} {path} not found"));
        &catalog.apis[index]
    }

    #[test]
    fn builtin_has_all_19_rows() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.service, "evs");
        assert_eq!(catalog.apis.len(), 19);
    }

    // Expected values below are copied by hand from the EVS snapshot permission table.
    #[test]
    fn builtin_rows_match_table() {
        let catalog = Catalog::builtin();
        let first = &catalog.apis[0];
        assert_eq!(first.name.zh, "创建云硬盘快照（OpenStack Cinder）");
        assert_eq!(first.key(), "POST /v2/{project_id}/snapshots");
        assert_eq!(first.actions, ["evs:snapshots:create", "evs:volumes:get"]);
        assert_eq!(first.scopes, Scopes { project: true, enterprise_project: false });

        let delete = api(&catalog, "DELETE", "/v2/{project_id}/snapshots/{snapshot_id}");
        assert_eq!(delete.actions, ["evs:snapshots:delete", "evs:snapshots:get", "evs:volumes:get"]);
        assert!(!delete.scopes.enterprise_project);

        let metadata_key_delete = api(&catalog, "DELETE", "/v2/{project_id}/snapshots/{snapshot_id}/metadata/{key}");
        assert_eq!(metadata_key_delete.actions, ["evs:snapshots:delete", "evs:snapshots:get"]);

        let rollback = api(&catalog, "POST", "/v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback");
        assert_eq!(rollback.name.zh, "回滚快照到云硬盘");
        assert_eq!(rollback.actions, ["evs:snapshots:rollback"]);
        assert_eq!(rollback.scopes, Scopes { project: true, enterprise_project: true });

        let vendor = api(&catalog, "POST", "/v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback");
        assert_eq!(vendor.name.zh, "回滚快照到云硬盘");
        assert_eq!(vendor.actions, ["evs:snapshots:rollback", "evs:snapshots:get", "evs:volumes:get"]);
        assert_eq!(vendor.scopes, Scopes { project: true, enterprise_project: false });
        assert!(vendor.aliases.is_empty(), "the os-vendor rollback's v3 twin is deprecated");

        let cloud_list = api(&catalog, "GET", "/v2/{project_id}/cloudsnapshots/detail");
        assert_eq!(cloud_list.actions, ["evs:snapshots:list"]);
        assert!(cloud_list.scopes.enterprise_project);
    }

    #[test]
    fn builtin_enterprise_rows() {
        // The table marks √ under 企业项目 for exactly the six cloudsnapshots rows.
        let catalog = Catalog::builtin();
        let enterprise: Vec<String> =
            catalog.apis.iter().filter(|a| a.scopes.enterprise_project).map(Api::key).collect();
        assert_eq!(
            enterprise,
            [
                "POST /v2/{project_id}/cloudsnapshots",
                "GET /v2/{project_id}/cloudsnapshots/detail",
                "PUT /v2/{project_id}/cloudsnapshots/{snapshot_id}",
                "GET /v2/{project_id}/cloudsnapshots/{snapshot_id}",
                "DELETE /v2/{project_id}/cloudsnapshots/{snapshot_id}",
                "POST /v2/{project_id}/cloudsnapshots/{snapshot_id}/rollback",
            ]
        );
        assert!(catalog.apis.iter().all(|a| a.scopes.project));
    }

    #[test]
    fn builtin_v3_aliases() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.find("GET", "/v3/{project_id}/snapshots/detail"), Some(3));
        assert_eq!(catalog.find("DELETE", "/v3/{project_id}/snapshots/{snapshot_id}/metadata/{key}"), Some(18));
        assert_eq!(catalog.find("POST", "/v3/{project_id}/cloudsnapshots"), None);
        let with_alias = catalog.apis.iter().filter(|a| !a.aliases.is_empty()).count();
        assert_eq!(with_alias, 12);
    }

    #[test]
    fn builtin_distinct_actions() {
        let expected = [
            "evs:snapshots:create",
            "evs:snapshots:delete",
            "evs:snapshots:get",
            "evs:snapshots:list",
            "evs:snapshots:rollback",
            "evs:snapshots:update",
            "evs:volumes:get",
        ];
        assert_eq!(Catalog::builtin().actions(), expected);
    }

    fn one_api(api_json: &str) -> String {
        format!(r#"{{"service": "evs", "apis": [{api_json}]}}"#)
    }

    const GOOD_API: &str = r#"{"name": {"zh": "甲", "en": "A"}, "method": "GET", "path": "/v2/x", "actions": ["evs:x:get"], "scopes": {"project": true, "enterprise_project": false}}"#;

    #[test]
    fn invalid_catalogs_rejected() {
        let cases = [
            (GOOD_API.replace("\"method\"", "\"verb\": \"GET\", \"method\""), "unknown field `verb`"),
            (GOOD_API.replace("[\"evs:x:get\"]", "[]"), "\"actions\" is empty"),
            (GOOD_API.replace("evs:x:get", "evs:x"), "action \"evs:x\" is malformed"),
            (GOOD_API.replace("evs:x:get", "evs:*:get"), "is malformed"),
            (GOOD_API.replace("\"GET\"", "\"FETCH\""), "method \"FETCH\" is not an HTTP method"),
            (GOOD_API.replace("\"GET\"", "\"get\""), "is not an HTTP method"),
            (format!("{GOOD_API}, {GOOD_API}"), "`GET /v2/x` is already API 1"),
            (GOOD_API.replace("\"/v2/x\"", "\"v2/x\""), "must start with '/'"),
        ];
        for (api_json, expected) in cases {
            let error = Catalog::parse("cat.json", &one_api(&api_json)).unwrap_err();
            let text = error.to_string();
            assert!(text.starts_with("cat.json"), "{text}");
            assert!(text.contains(expected), "expected {expected:?} in {text}");
        }
    }

    #[test]
    fn invalid_catalog_names_api() {
        let text = one_api(&format!("{GOOD_API}, {}", GOOD_API.replace("/v2/x", "/v2/y").replace("evs:x:get", "bad")));
        let error = Catalog::parse("cat.json", &text).unwrap_err();
        assert!(error.message.contains("API 2 (GET /v2/y)"), "{error}");
    }

    #[test]
    fn error_columns_count_characters_from_1() {
        // serde_json reports these at column 0 (start of a line) or counts bytes of 快照.
        let cases = [
            ("", Pos { line: 1, column: 1 }),
            ("{\"service\": \"evs\",\n", Pos { line: 2, column: 1 }),
            ("{\"service\": \"快照\", \"apis\": 1}", Pos { line: 1, column: 27 }),
            ("{\"service\": \"evs\",\n\"apis\": [快]}", Pos { line: 2, column: 10 }),
        ];
        for (text, expected) in cases {
            let error = Catalog::parse("cat.json", text).unwrap_err();
            assert_eq!(error.pos, Some(expected), "{text:?}: {error}");
        }
    }

    #[test]
    fn large_catalog_reports_first_invalid_api() {
        // Large enough to be checked on several threads: the error must still name the first bad API.
        let mut catalog = crate::synth::synthesize(12_000, 5);
        catalog.apis[11_000].actions = vec!["bad".into()];
        catalog.apis[7000].method = "FETCH".into();
        let text = serde_json::to_string(&catalog).unwrap();
        let error = Catalog::parse("big.json", &text).unwrap_err();
        assert!(error.message.starts_with("invalid catalog: API 7001 (FETCH "), "{error}");

        // Per-API errors are reported before duplicates, even a duplicate at an earlier API.
        catalog.apis[7000].path = catalog.apis[7001].path.clone();
        catalog.apis[7000].method = catalog.apis[7001].method.clone();
        let text = serde_json::to_string(&catalog).unwrap();
        let error = Catalog::parse("big.json", &text).unwrap_err();
        assert!(error.message.starts_with("invalid catalog: API 11001 "), "{error}");
    }

    #[test]
    fn syntax_error_has_position() {
        let error = Catalog::parse("cat.json", "{\"service\": \"evs\",\n \"apis\": [}").unwrap_err();
        assert_eq!(error.pos, Some(Pos { line: 2, column: 11 }));
    }
}
