//! Importing Huawei's "permissions and supported actions" pages into a catalog.
//!
//! Each Huawei Cloud service's API reference has pages titled 权限及授权项 ("Permissions and Supported
//! Actions"), for example the EVS page 云硬盘快照 (evs_04_0027). Each contains an HTML table with one row
//! per API: the permission name, the API (`METHOD /path`), one or more actions, and a √ or × under
//! IAM项目 (Project) and 企业项目 (Enterprise Project). Cells hold one or more `<p>` paragraphs, some
//! of them empty, and the column order comes from the header row.
//!
//! The HTML is parsed with `scraper` (html5ever), the HTML5 parsing algorithm browsers use, so unclosed
//! `<p>` and `<td>` tags and every named or numeric character reference are handled as a browser
//! would.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use scraper::{ElementRef, Html, Node, Selector};

use crate::catalog::{Api, Catalog, HTTP_METHODS, Name, Scopes};

/// Largest page read, in bytes; Huawei's pages are well under 1 MiB.
pub const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

/// A table column the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Api,
    Action,
    Project,
    EnterpriseProject,
}

impl Column {
    fn label(self, lang: PageLang) -> &'static str {
        match (self, lang) {
            (Column::Name, PageLang::Zh) => "权限",
            (Column::Name, PageLang::En) => "Permission",
            (Column::Api, PageLang::Zh) => "对应API接口",
            (Column::Api, PageLang::En) => "API",
            (Column::Action, PageLang::Zh) => "授权项",
            (Column::Action, PageLang::En) => "Action",
            (Column::Project, PageLang::Zh) => "IAM项目",
            (Column::Project, PageLang::En) => "IAM Project",
            (Column::EnterpriseProject, PageLang::Zh) => "企业项目",
            (Column::EnterpriseProject, PageLang::En) => "Enterprise Project",
        }
    }
}

const ALL_COLUMNS: [Column; 5] = [Column::Name, Column::Api, Column::Action, Column::Project, Column::EnterpriseProject];

/// The language of a table, from its header row. Names are stored in that language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageLang {
    Zh,
    En,
}

/// A row, table or page the importer could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The page's file name as given.
    pub page: String,
    /// 1-based table number among the page's tables, counting every `<table>`.
    pub table: Option<usize>,
    /// 1-based row number among the table's data rows (the header row is not counted).
    pub row: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.page)?;
        if let Some(table) = self.table {
            write!(f, ": table {table}")?;
        }
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The page, table and row an imported API came from, for duplicate reports.
#[derive(Debug, Clone)]
struct Origin {
    page: String,
    table: usize,
    row: usize,
}

/// Collects APIs from one or more pages, in page and row order.
#[derive(Default)]
pub struct Importer {
    apis: Vec<Api>,
    origins: Vec<Origin>,
    /// `(METHOD, path)` to index in `apis`.
    index: HashMap<(String, String), usize>,
    problems: Vec<Problem>,
    pages: usize,
}

/// The result of an import: the catalog, unless no row could be read, and every problem met.
#[derive(Debug)]
pub struct Imported {
    pub catalog: Option<Catalog>,
    pub problems: Vec<Problem>,
    pub pages: usize,
}

impl Importer {
    pub fn new() -> Importer {
        Importer::default()
    }

    /// Reads every permission table of one page. `page` names the page in problem reports.
    pub fn add_page(&mut self, page: &str, html: &str) {
        self.pages += 1;
        let document = Html::parse_document(html);
        let table_selector = Selector::parse("table").expect("a valid selector");
        let mut found = false;
        let mut closest_miss: Option<String> = None;
        for (table_index, table) in document.select(&table_selector).enumerate() {
            let table_number = table_index + 1;
            let grid = table_grid(table);
            let Some((header, rows)) = grid.split_first() else { continue };
            match read_header(header) {
                Ok((columns, lang)) => {
                    found = true;
                    for (row_index, cells) in rows.iter().enumerate() {
                        self.add_row(page, table_number, row_index + 1, cells, &columns, lang);
                    }
                }
                Err(HeaderError::NotPermissionTable) => {}
                Err(HeaderError::Invalid(message)) => {
                    found = true;
                    self.problem(page, Some(table_number), None, message);
                }
                Err(HeaderError::Missing(message)) => closest_miss = closest_miss.or(Some(message)),
            }
        }
        if !found {
            let detail = closest_miss.map(|m| format!(" ({m})")).unwrap_or_default();
            self.problem(
                page,
                None,
                None,
                format!(
                    "no permission table found{detail}: expected a table whose header row has the columns \
                     权限, 对应API接口, 授权项（Action）, IAM项目 and 企业项目, or Permission, API, Action, \
                     IAM Project and Enterprise Project"
                ),
            );
        }
    }

    /// Returns the catalog of every API read so far, and the problems met.
    pub fn finish(self) -> Imported {
        let catalog = if self.apis.is_empty() {
            None
        } else {
            Some(Catalog { service: service_list(&self.apis), apis: self.apis })
        };
        Imported { catalog, problems: self.problems, pages: self.pages }
    }

    fn problem(&mut self, page: &str, table: Option<usize>, row: Option<usize>, message: String) {
        self.problems.push(Problem { page: page.to_owned(), table, row, message });
    }

    fn add_row(&mut self, page: &str, table: usize, row: usize, cells: &[Vec<String>], columns: &Columns, lang: PageLang) {
        if cells.iter().all(|lines| lines.is_empty()) {
            return;
        }
        let apis = match read_row(cells, columns, lang) {
            Ok(apis) => apis,
            Err(message) => return self.problem(page, Some(table), Some(row), format!("skipped: {message}")),
        };
        for api in apis {
            let key = (api.method.clone(), api.path.clone());
            let Some(&existing) = self.index.get(&key) else {
                self.index.insert(key, self.apis.len());
                self.apis.push(api);
                self.origins.push(Origin { page: page.to_owned(), table, row });
                continue;
            };
            // The same API on the Chinese and the English page: keep one entry with both names.
            let first = &mut self.apis[existing];
            if let Some(name) = merged_name(&first.name, &api.name)
                && first.actions == api.actions
                && first.scopes == api.scopes
            {
                first.name = name;
                continue;
            }
            let origin = &self.origins[existing];
            let message = format!(
                "skipped: duplicate API {}: already read from {}, table {}, row {}",
                api.key(),
                origin.page,
                origin.table,
                origin.row
            );
            self.problem(page, Some(table), Some(row), message);
        }
    }
}

/// Combines two names when one is only Chinese and the other only English.
fn merged_name(first: &Name, second: &Name) -> Option<Name> {
    match (first.zh.is_empty(), first.en.is_empty(), second.zh.is_empty(), second.en.is_empty()) {
        (false, true, true, false) => Some(Name { zh: first.zh.clone(), en: second.en.clone() }),
        (true, false, false, true) => Some(Name { zh: second.zh.clone(), en: first.en.clone() }),
        _ => None,
    }
}

/// Builds the catalog `service` of merged pages: the distinct services of all actions, sorted and joined with
/// commas, such as `ecs,evs,vpc`.
fn service_list(apis: &[Api]) -> String {
    let services: BTreeSet<&str> =
        apis.iter().flat_map(|api| api.actions.iter().filter_map(|a| a.split(':').next())).collect();
    services.into_iter().collect::<Vec<_>>().join(",")
}

/// Column indices of a permission table.
struct Columns {
    name: usize,
    api: usize,
    action: usize,
    project: usize,
    enterprise_project: usize,
}

enum HeaderError {
    /// The table has no permission, API and action columns; pages have other tables too.
    NotPermissionTable,
    /// It has those three but lacks another column this importer needs.
    Missing(String),
    /// A column appears twice.
    Invalid(String),
}

fn read_header(header: &[Vec<String>]) -> Result<(Columns, PageLang), HeaderError> {
    let texts: Vec<String> = header.iter().map(|lines| lines.concat()).collect();
    let lang = if texts.iter().any(|t| t.chars().any(is_cjk)) { PageLang::Zh } else { PageLang::En };
    let mut found: [Option<usize>; 5] = [None; 5];
    for (index, text) in texts.iter().enumerate() {
        let Some(column) = column_of(text) else { continue };
        let slot = &mut found[ALL_COLUMNS.iter().position(|c| *c == column).expect("listed")];
        if slot.is_some() {
            return Err(HeaderError::Invalid(format!(
                "skipped the table: the header row has two {} columns",
                column.label(lang)
            )));
        }
        *slot = Some(index);
    }
    let [Some(name), Some(api), Some(action), project, enterprise_project] = found else {
        return Err(HeaderError::NotPermissionTable);
    };
    let (Some(project), Some(enterprise_project)) = (project, enterprise_project) else {
        let missing: Vec<&str> = [(project, Column::Project), (enterprise_project, Column::EnterpriseProject)]
            .iter()
            .filter(|(index, _)| index.is_none())
            .map(|(_, column)| column.label(lang))
            .collect();
        return Err(HeaderError::Missing(format!("a table has no {} column", missing.join(" or "))));
    };
    Ok((Columns { name, api, action, project, enterprise_project }, lang))
}

/// Recognises a header cell in Chinese or English. Columns of dependent actions (依赖的授权项,
/// "Dependencies") are not read.
fn column_of(header: &str) -> Option<Column> {
    let text: String = header
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if text.contains("依赖") || text.contains("dependen") {
        None
    } else if text.contains("企业项目") || text.contains("enterpriseproject") {
        Some(Column::EnterpriseProject)
    } else if text.contains("项目") || text.contains("project") {
        Some(Column::Project)
    } else if text.contains("授权项") || text.contains("action") {
        Some(Column::Action)
    } else if text.contains("api") {
        Some(Column::Api)
    } else if text.starts_with("权限") || text.starts_with("permission") {
        Some(Column::Name)
    } else {
        None
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Reads one data row. A cell that lists several APIs gives one catalog entry per API, each with the
/// row's name, actions and marks.
fn read_row(cells: &[Vec<String>], columns: &Columns, lang: PageLang) -> Result<Vec<Api>, String> {
    let empty = Vec::new();
    let cell = |index: usize| cells.get(index).unwrap_or(&empty);

    let name = cell(columns.name).join(" ");
    if name.is_empty() {
        return Err(format!("the {} cell is empty", Column::Name.label(lang)));
    }
    let endpoints = read_endpoints(cell(columns.api), lang)?;
    let actions = read_actions(cell(columns.action), lang)?;
    let scopes = Scopes {
        project: read_mark(cell(columns.project), Column::Project, lang)?,
        enterprise_project: read_mark(cell(columns.enterprise_project), Column::EnterpriseProject, lang)?,
    };
    let name = match lang {
        PageLang::Zh => Name { zh: name, en: String::new() },
        PageLang::En => Name { zh: String::new(), en: name },
    };

    let mut apis = Vec::new();
    for (method, path) in endpoints {
        let api = Api { name: name.clone(), method, path, aliases: Vec::new(), actions: actions.clone(), scopes };
        api.check().map_err(|(reason, _fix)| reason)?;
        apis.push(api);
    }
    Ok(apis)
}

/// Reads `METHOD /path` pairs; the method and path may share a paragraph or not.
fn read_endpoints(lines: &[String], lang: PageLang) -> Result<Vec<(String, String)>, String> {
    let label = Column::Api.label(lang);
    let text = lines.join(" ");
    let mut tokens = text.split_whitespace();
    let mut endpoints = Vec::new();
    while let Some(method) = tokens.next() {
        let upper = method.to_ascii_uppercase();
        if !HTTP_METHODS.contains(&upper.as_str()) {
            return Err(format!(
                "malformed API {text:?} in the {label} cell: {method:?} is not an HTTP method; expected METHOD /path, \
                 such as GET /v2/{{project_id}}/snapshots"
            ));
        }
        match tokens.next() {
            Some(path) if path.starts_with('/') => endpoints.push((upper, path.to_owned())),
            Some(other) => {
                return Err(format!("malformed API {text:?} in the {label} cell: the path {other:?} does not start with '/'"));
            }
            None => return Err(format!("malformed API {text:?} in the {label} cell: {method} has no path")),
        }
    }
    if endpoints.is_empty() {
        return Err(format!("the {label} cell is empty"));
    }
    Ok(endpoints)
}

/// Reads the actions, one or more per paragraph (separated by spaces, commas or 、), dropping repeats.
fn read_actions(lines: &[String], lang: PageLang) -> Result<Vec<String>, String> {
    let mut actions: Vec<String> = Vec::new();
    for line in lines {
        for action in line.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；')) {
            if action.is_empty() {
                continue;
            }
            if let Err(e) = crate::action::validate_action(action) {
                return Err(format!("malformed action {action:?}: {e}"));
            }
            if !actions.iter().any(|a| a.eq_ignore_ascii_case(action)) {
                actions.push(action.to_owned());
            }
        }
    }
    if actions.is_empty() {
        return Err(format!("missing action: the {} cell is empty", Column::Action.label(lang)));
    }
    Ok(actions)
}

/// √ means supported and × not supported; the look-alike check and cross marks are accepted too.
fn read_mark(lines: &[String], column: Column, lang: PageLang) -> Result<bool, String> {
    let text = lines.concat();
    match text.as_str() {
        "√" | "✓" | "✔" => Ok(true),
        "×" | "✗" | "✘" | "✕" => Ok(false),
        "" => Err(format!("the {} cell is empty; expected √ or ×", column.label(lang))),
        other => Err(format!("unknown mark {other:?} in the {} cell; expected √ or ×", column.label(lang))),
    }
}

/// Reads the table as a grid of cells, each cell its non-empty lines of text. A cell with `rowspan` or
/// `colspan` is repeated in every row and column it spans, so columns stay aligned with the header.
fn table_grid(table: ElementRef<'_>) -> Vec<Vec<Vec<String>>> {
    // A cell carried down from a rowspan above: its lines and how many more rows it covers.
    let mut carried: Vec<Option<(Vec<String>, usize)>> = Vec::new();
    let mut grid = Vec::new();
    for row in table_rows(table) {
        let mut cells: Vec<Vec<String>> = Vec::new();
        for cell in row.child_elements().filter(|e| matches!(e.value().name(), "td" | "th")) {
            take_carried(&mut cells, &mut carried);
            let lines = cell_lines(cell);
            let colspan = span(cell, "colspan", 100);
            let rowspan = span(cell, "rowspan", 10_000);
            for _ in 0..colspan {
                let column = cells.len();
                if carried.len() <= column {
                    carried.resize(column + 1, None);
                }
                if rowspan > 1 {
                    carried[column] = Some((lines.clone(), rowspan - 1));
                }
                cells.push(lines.clone());
            }
        }
        // Cells carried into the end of the row, after its last own cell.
        while cells.len() < carried.len() {
            if carried[cells.len()].is_some() {
                take_carried(&mut cells, &mut carried);
            } else {
                cells.push(Vec::new());
            }
        }
        grid.push(cells);
    }
    grid
}

/// Appends the carried cells that start at the row's next column.
fn take_carried(cells: &mut Vec<Vec<String>>, carried: &mut [Option<(Vec<String>, usize)>]) {
    while let Some(Some((lines, remaining))) = carried.get_mut(cells.len()) {
        cells.push(lines.clone());
        *remaining -= 1;
        if *remaining == 0 {
            carried[cells.len() - 1] = None;
        }
    }
}

/// Reads a `rowspan` or `colspan` value. Absent, zero or invalid counts as 1, and huge values are capped.
fn span(cell: ElementRef<'_>, attribute: &str, max: usize) -> usize {
    cell.value().attr(attribute).and_then(|v| v.trim().parse::<usize>().ok()).filter(|n| *n > 0).unwrap_or(1).min(max)
}

/// Collects the table's own rows, in order: those directly under it and under its thead, tbody and tfoot, not
/// the rows of a table nested in a cell.
fn table_rows(table: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let mut rows = Vec::new();
    for child in table.child_elements() {
        match child.value().name() {
            "tr" => rows.push(child),
            "thead" | "tbody" | "tfoot" => rows.extend(child.child_elements().filter(|e| e.value().name() == "tr")),
            _ => {}
        }
    }
    rows
}

/// Splits the cell's text into lines at paragraph, line-break, list-item and div boundaries. Each line is
/// trimmed with runs of white space collapsed, and empty lines are dropped.
fn cell_lines(cell: ElementRef<'_>) -> Vec<String> {
    let mut lines = vec![String::new()];
    collect_lines(cell, &mut lines);
    lines
        .into_iter()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect()
}

fn collect_lines(element: ElementRef<'_>, lines: &mut Vec<String>) {
    for child in element.children() {
        match child.value() {
            // Zero-width spaces and byte order marks appear in copied documentation.
            Node::Text(text) => lines.last_mut().expect("never empty").extend(text.chars().filter(|c| !matches!(c, '\u{200b}' | '\u{feff}'))),
            Node::Element(_) => {
                let child = ElementRef::wrap(child).expect("an element node");
                let block = matches!(child.value().name(), "p" | "div" | "li" | "br" | "tr" | "table");
                if block {
                    lines.push(String::new());
                }
                collect_lines(child, lines);
                if block {
                    lines.push(String::new());
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(html: &str) -> Imported {
        let mut importer = Importer::new();
        importer.add_page("page.html", html);
        importer.finish()
    }

    const HEADER_ZH: &str = "<tr><th><p>权限</p></th><th><p>对应API接口</p></th><th><p>授权项（Action）</p></th>\
        <th><p>IAM项目</p><p>(Project)</p></th><th><p>企业项目</p><p>(Enterprise Project)</p></th></tr>";

    fn page(rows: &str) -> String {
        format!("<h1>云硬盘</h1><table><thead>{HEADER_ZH}</thead><tbody>{rows}</tbody></table>")
    }

    #[test]
    fn reads_paragraph_cells() {
        let html = page(
            "<tr><td><p>删除快照</p><p></p></td><td><p>DELETE /v2/{project_id}/snapshots/{snapshot_id}</p></td>\
             <td><p>evs:snapshots:delete</p><p></p><p>evs:snapshots:get</p></td><td><p>√</p></td><td><p>×</p></td></tr>",
        );
        let imported = import(&html);
        assert!(imported.problems.is_empty(), "{:?}", imported.problems);
        let catalog = imported.catalog.unwrap();
        assert_eq!(catalog.service, "evs");
        let api = &catalog.apis[0];
        assert_eq!(api.name, Name { zh: "删除快照".into(), en: String::new() });
        assert_eq!(api.key(), "DELETE /v2/{project_id}/snapshots/{snapshot_id}");
        assert_eq!(api.actions, ["evs:snapshots:delete", "evs:snapshots:get"]);
        assert_eq!(api.scopes, Scopes { project: true, enterprise_project: false });
    }

    #[test]
    fn decodes_entities() {
        let html = page(
            "<tr><td>A &amp; B</td><td>GET /v2/&#x7B;project_id&#125;/x?a=1&lt;2</td><td>evs:x:get</td><td>&#x221A;</td><td>&times;</td></tr>",
        );
        let api = &import(&html).catalog.unwrap().apis[0];
        assert_eq!(api.name.zh, "A & B");
        assert_eq!(api.path, "/v2/{project_id}/x?a=1<2");
        assert_eq!(api.scopes, Scopes { project: true, enterprise_project: false });
    }

    #[test]
    fn rowspan_keeps_columns_aligned() {
        // One permission name spans two API rows, as Huawei's tables do for an API and its twin.
        let html = page(
            "<tr><td rowspan=\"2\">回滚</td><td>POST /v2/a</td><td>evs:s:rollback</td><td>√</td><td>√</td></tr>\
             <tr><td>POST /v2/b</td><td>evs:s:rollback</td><td>√</td><td>×</td></tr>",
        );
        let imported = import(&html);
        assert!(imported.problems.is_empty(), "{:?}", imported.problems);
        let apis = imported.catalog.unwrap().apis;
        assert_eq!(apis[1].name.zh, "回滚");
        assert_eq!(apis[1].path, "/v2/b");
        assert!(!apis[1].scopes.enterprise_project);
    }

    #[test]
    fn columns_follow_header_order() {
        let html = "<table><tr><th>Action</th><th>Enterprise Project</th><th>API</th><th>IAM Project</th><th>Permission</th></tr>\
            <tr><td>ecs:servers:get</td><td>×</td><td>get /v1/{project_id}/servers/{id}</td><td>√</td><td>Query a server</td></tr></table>";
        let api = &import(html).catalog.unwrap().apis[0];
        assert_eq!(api.name, Name { zh: String::new(), en: "Query a server".into() });
        assert_eq!(api.key(), "GET /v1/{project_id}/servers/{id}");
        assert_eq!(api.scopes, Scopes { project: true, enterprise_project: false });
    }

    #[test]
    fn bad_rows_reported_with_row_number() {
        let html = page(
            "<tr><td>好</td><td>GET /v2/a</td><td>evs:a:get</td><td>√</td><td>×</td></tr>\
             <tr><td>无授权项</td><td>GET /v2/b</td><td><p></p></td><td>√</td><td>×</td></tr>\
             <tr><td>坏标记</td><td>GET /v2/c</td><td>evs:c:get</td><td>✓?</td><td>×</td></tr>\
             <tr><td>坏方法</td><td>FETCH /v2/d</td><td>evs:d:get</td><td>√</td><td>×</td></tr>\
             <tr><td>坏路径</td><td>GET v2/e</td><td>evs:e:get</td><td>√</td><td>×</td></tr>\
             <tr><td>重复</td><td>GET /v2/a</td><td>evs:a:list</td><td>√</td><td>×</td></tr>\
             <tr><td>坏授权项</td><td>GET /v2/f</td><td>evs:f</td><td>√</td><td>×</td></tr>",
        );
        let imported = import(&html);
        assert_eq!(imported.catalog.unwrap().apis.len(), 1);
        let rows: Vec<Option<usize>> = imported.problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, [Some(2), Some(3), Some(4), Some(5), Some(6), Some(7)]);
        let messages: Vec<String> = imported.problems.iter().map(ToString::to_string).collect();
        assert!(messages[0].starts_with("page.html: table 1, row 2: skipped: missing action"), "{}", messages[0]);
        assert!(messages[1].contains("unknown mark \"✓?\" in the IAM项目 cell"), "{}", messages[1]);
        assert!(messages[2].contains("\"FETCH\" is not an HTTP method"), "{}", messages[2]);
        assert!(messages[3].contains("the path \"v2/e\" does not start with '/'"), "{}", messages[3]);
        assert!(messages[4].contains("duplicate API GET /v2/a: already read from page.html, table 1, row 1"), "{}", messages[4]);
        assert!(messages[5].contains("malformed action \"evs:f\""), "{}", messages[5]);
    }

    #[test]
    fn page_without_table_reported() {
        let imported = import("<p>no table here</p><table><tr><td>x</td></tr></table>");
        assert!(imported.catalog.is_none());
        assert_eq!(imported.problems.len(), 1);
        assert!(imported.problems[0].message.starts_with("no permission table found"), "{}", imported.problems[0]);
    }

    #[test]
    fn missing_scope_column_reported() {
        let html = "<table><tr><th>权限</th><th>对应API接口</th><th>授权项</th><th>IAM项目</th></tr>\
            <tr><td>甲</td><td>GET /v2/a</td><td>evs:a:get</td><td>√</td></tr></table>";
        let problem = &import(html).problems[0];
        assert!(problem.message.contains("(a table has no 企业项目 column)"), "{problem}");
    }

    #[test]
    fn chinese_and_english_pages_merge_names() {
        let mut importer = Importer::new();
        importer.add_page("zh.html", &page("<tr><td>查询快照</td><td>GET /v2/a</td><td>evs:a:get</td><td>√</td><td>×</td></tr>"));
        importer.add_page(
            "en.html",
            "<table><tr><th>Permission</th><th>API</th><th>Action</th><th>IAM Project</th><th>Enterprise Project</th></tr>\
             <tr><td>Query a snapshot</td><td>GET /v2/a</td><td>evs:a:get</td><td>√</td><td>×</td></tr></table>",
        );
        let imported = importer.finish();
        assert!(imported.problems.is_empty(), "{:?}", imported.problems);
        let apis = imported.catalog.unwrap().apis;
        assert_eq!(apis.len(), 1);
        assert_eq!(apis[0].name, Name { zh: "查询快照".into(), en: "Query a snapshot".into() });
    }

    #[test]
    fn merged_service_lists_all() {
        let html = page(
            "<tr><td>甲</td><td>GET /v2/a</td><td>vpc:a:get</td><td>√</td><td>×</td></tr>\
             <tr><td>乙</td><td>GET /v2/b</td><td>ecs:b:get</td><td>√</td><td>×</td></tr>\
             <tr><td>丙</td><td>GET /v2/c</td><td>ecs:c:get evs:c:get</td><td>√</td><td>×</td></tr>",
        );
        assert_eq!(import(&html).catalog.unwrap().service, "ecs,evs,vpc");
    }

    #[test]
    fn several_apis_in_one_cell() {
        let html = page("<tr><td>甲</td><td><p>GET</p><p>/v2/a</p><p>GET /v3/a</p></td><td>evs:a:get</td><td>√</td><td>×</td></tr>");
        let keys: Vec<String> = import(&html).catalog.unwrap().apis.iter().map(Api::key).collect();
        assert_eq!(keys, ["GET /v2/a", "GET /v3/a"]);
    }

    #[test]
    fn header_recognition() {
        assert_eq!(column_of("授权项（Action）"), Some(Column::Action));
        assert_eq!(column_of("IAM项目(Project)"), Some(Column::Project));
        assert_eq!(column_of("企业项目(Enterprise Project)"), Some(Column::EnterpriseProject));
        assert_eq!(column_of("对应API接口"), Some(Column::Api));
        assert_eq!(column_of("Permission"), Some(Column::Name));
        assert_eq!(column_of("依赖的授权项"), None);
        assert_eq!(column_of("Dependencies"), None);
    }
}
