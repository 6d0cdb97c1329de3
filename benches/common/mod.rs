//! Data shared by the engine and explorer benchmarks.

/// Queries a user might type on a synthetic catalog: English words, a Chinese name, pinyin initials
/// and full pinyin, an action, a path and two-term queries.
pub const QUERIES: [&str; 9] = [
    "snapshot",
    "创建云服务器",
    "cjyfwq",
    "huigun",
    "delete tags",
    "ecs:cloudServers:get",
    "/v2/{project_id}/vpcs",
    "list log stream",
    "vpc subnet get",
];
