//! Synthetic catalogs: realistic-looking APIs across many services, for benchmarks and tests.
//!
//! The names, paths and actions follow the patterns of Huawei's permission tables (a Chinese verb and
//! resource such as 创建云服务器, REST paths under `/v{n}/{project_id}/`, actions
//! `service:resourceType:operation`), but the APIs are made up. The same count and seed always give the
//! same catalog.

use std::collections::HashSet;

use crate::catalog::{Api, Catalog, Name, Scopes};
use crate::policy::{Policy, Statement};

/// Most APIs `synthesize` produces; a catalog this size is about 400 MB of JSON.
pub const MAX_APIS: usize = 1_000_000;

/// One resource type of a service: the action segment, the path segment, and the names.
struct Resource {
    action: &'static str,
    path: &'static str,
    zh: &'static str,
    en: &'static str,
}

struct Service {
    name: &'static str,
    resources: &'static [Resource],
}

macro_rules! resources {
    ($(($action:literal, $path:literal, $zh:literal, $en:literal)),* $(,)?) => {
        &[$(Resource { action: $action, path: $path, zh: $zh, en: $en }),*]
    };
}

const SERVICES: &[Service] = &[
    Service { name: "ecs", resources: resources![
        ("cloudServers", "cloudservers", "云服务器", "ECS"),
        ("flavors", "flavors", "云服务器规格", "ECS flavor"),
        ("serverGroups", "os-server-groups", "云服务器组", "ECS group"),
        ("keypairs", "os-keypairs", "SSH密钥", "SSH key pair"),
        ("quotas", "quotas", "租户配额", "tenant quota"),
        ("interfaces", "os-interface", "网卡", "network interface"),
    ]},
    Service { name: "evs", resources: resources![
        ("volumes", "cloudvolumes", "云硬盘", "EVS disk"),
        ("snapshots", "cloudsnapshots", "云硬盘快照", "EVS snapshot"),
        ("types", "types", "云硬盘类型", "disk type"),
        ("transfers", "os-volume-transfer", "云硬盘过户", "disk transfer"),
    ]},
    Service { name: "vpc", resources: resources![
        ("vpcs", "vpcs", "虚拟私有云", "VPC"),
        ("subnets", "subnets", "子网", "subnet"),
        ("securityGroups", "security-groups", "安全组", "security group"),
        ("securityGroupRules", "security-group-rules", "安全组规则", "security group rule"),
        ("publicIps", "publicips", "弹性公网IP", "EIP"),
        ("bandwidths", "bandwidths", "带宽", "bandwidth"),
        ("peerings", "vpc-peerings", "对等连接", "VPC peering connection"),
        ("routeTables", "routetables", "路由表", "route table"),
        ("flowLogs", "flowlogs", "流日志", "flow log"),
        ("ports", "ports", "端口", "port"),
    ]},
    Service { name: "ims", resources: resources![
        ("images", "cloudimages", "镜像", "image"),
        ("members", "members", "镜像成员", "image member"),
        ("tags", "image-tags", "镜像标签", "image tag"),
    ]},
    Service { name: "obs", resources: resources![
        ("bucket", "buckets", "桶", "bucket"),
        ("object", "objects", "对象", "object"),
        ("lifecycle", "lifecycle", "生命周期规则", "lifecycle rule"),
        ("website", "website", "静态网站托管", "static website hosting"),
    ]},
    Service { name: "rds", resources: resources![
        ("instances", "instances", "数据库实例", "DB instance"),
        ("backups", "backups", "备份", "backup"),
        ("databases", "databases", "数据库", "database"),
        ("users", "db-users", "数据库用户", "database user"),
        ("parameterGroups", "configurations", "参数模板", "parameter template"),
        ("logs", "slowlog", "慢日志", "slow query log"),
    ]},
    Service { name: "elb", resources: resources![
        ("loadbalancers", "loadbalancers", "负载均衡器", "load balancer"),
        ("listeners", "listeners", "监听器", "listener"),
        ("pools", "pools", "后端服务器组", "backend server group"),
        ("members", "members", "后端服务器", "backend server"),
        ("healthmonitors", "healthmonitors", "健康检查", "health check"),
        ("certificates", "certificates", "证书", "certificate"),
        ("l7policies", "l7policies", "转发策略", "forwarding policy"),
    ]},
    Service { name: "cce", resources: resources![
        ("cluster", "clusters", "集群", "cluster"),
        ("node", "nodes", "节点", "node"),
        ("nodepool", "nodepools", "节点池", "node pool"),
        ("addonInstance", "addons", "插件实例", "add-on instance"),
        ("job", "jobs", "任务", "job"),
    ]},
    Service { name: "dns", resources: resources![
        ("zone", "zones", "域名", "zone"),
        ("recordset", "recordsets", "记录集", "record set"),
        ("ptr", "ptrs", "反向解析", "PTR record"),
        ("resolverRule", "resolverrules", "解析规则", "resolver rule"),
    ]},
    Service { name: "kms", resources: resources![
        ("cmk", "keys", "密钥", "CMK"),
        ("grant", "grants", "授权", "grant"),
        ("keypair", "keypairs", "密钥对", "key pair"),
        ("secret", "secrets", "凭据", "secret"),
    ]},
    Service { name: "cbr", resources: resources![
        ("vaults", "vaults", "存储库", "vault"),
        ("backups", "backups", "备份", "backup"),
        ("policies", "policies", "策略", "policy"),
        ("checkpoints", "checkpoints", "还原点", "restore point"),
        ("replication", "replications", "复制", "replication"),
    ]},
    Service { name: "sfs", resources: resources![
        ("shares", "shares", "文件系统", "file system"),
        ("accessRules", "access-rules", "共享访问规则", "share access rule"),
        ("shareNetworks", "share-networks", "共享网络", "share network"),
    ]},
    Service { name: "as", resources: resources![
        ("groups", "scaling_group", "伸缩组", "AS group"),
        ("configs", "scaling_configuration", "伸缩配置", "AS configuration"),
        ("policies", "scaling_policy", "伸缩策略", "AS policy"),
        ("instances", "scaling_group_instance", "伸缩实例", "AS instance"),
        ("hooks", "scaling_lifecycle_hook", "生命周期挂钩", "lifecycle hook"),
    ]},
    Service { name: "ces", resources: resources![
        ("alarms", "alarms", "告警规则", "alarm rule"),
        ("metricData", "metric-data", "监控数据", "metric data"),
        ("dashboards", "dashboards", "监控看板", "dashboard"),
        ("events", "events", "事件", "event"),
    ]},
    Service { name: "lts", resources: resources![
        ("groups", "groups", "日志组", "log group"),
        ("topics", "streams", "日志流", "log stream"),
        ("transfers", "transfers", "日志转储", "log transfer"),
        ("structConfigs", "struct-configs", "结构化配置", "structuring configuration"),
    ]},
    Service { name: "dcs", resources: resources![
        ("instances", "instances", "缓存实例", "cache instance"),
        ("backups", "backups", "缓存备份", "cache backup"),
        ("configs", "configs", "实例配置", "instance configuration"),
        ("whitelists", "whitelist", "IP白名单", "IP whitelist"),
    ]},
    Service { name: "dms", resources: resources![
        ("instances", "instances", "消息队列实例", "message queue instance"),
        ("topics", "topics", "主题", "topic"),
        ("groups", "groups", "消费组", "consumer group"),
        ("users", "users", "消息队列用户", "message queue user"),
    ]},
    Service { name: "dds", resources: resources![
        ("instances", "instances", "文档数据库实例", "DDS instance"),
        ("backups", "backups", "文档数据库备份", "DDS backup"),
        ("configurations", "configurations", "文档数据库参数模板", "DDS parameter template"),
    ]},
    Service { name: "gaussdb", resources: resources![
        ("instance", "instances", "云数据库实例", "GaussDB instance"),
        ("backup", "backups", "云数据库备份", "GaussDB backup"),
        ("database", "databases", "云数据库", "GaussDB database"),
        ("proxy", "proxies", "数据库代理", "database proxy"),
    ]},
    Service { name: "waf", resources: resources![
        ("instance", "premium-waf", "独享防火墙引擎", "dedicated WAF engine"),
        ("host", "instance", "防护域名", "protected domain"),
        ("policy", "policy", "防护策略", "protection policy"),
        ("certificate", "certificate", "防火墙证书", "WAF certificate"),
    ]},
    Service { name: "iam", resources: resources![
        ("users", "users", "IAM用户", "IAM user"),
        ("groups", "groups", "用户组", "user group"),
        ("roles", "roles", "自定义策略", "custom policy"),
        ("projects", "projects", "项目", "project"),
        ("agencies", "agencies", "委托", "agency"),
        ("credentials", "credentials", "访问密钥", "access key"),
    ]},
    Service { name: "swr", resources: resources![
        ("repository", "repos", "镜像仓库", "image repository"),
        ("namespace", "namespaces", "组织", "organization"),
        ("trigger", "triggers", "触发器", "trigger"),
        ("retention", "retentions", "老化规则", "retention rule"),
    ]},
    Service { name: "functiongraph", resources: resources![
        ("function", "functions", "函数", "function"),
        ("trigger", "triggers", "函数触发器", "function trigger"),
        ("alias", "aliases", "函数别名", "function alias"),
        ("version", "versions", "函数版本", "function version"),
    ]},
    Service { name: "apig", resources: resources![
        ("instances", "instances", "API网关实例", "API gateway instance"),
        ("apis", "apis", "API", "API"),
        ("apigroups", "api-groups", "API分组", "API group"),
        ("environments", "envs", "环境", "environment"),
        ("throttles", "throttles", "流控策略", "request throttling policy"),
        ("apps", "apps", "应用", "app"),
    ]},
    Service { name: "nat", resources: resources![
        ("natGateways", "nat_gateways", "NAT网关", "NAT gateway"),
        ("snatRules", "snat_rules", "SNAT规则", "SNAT rule"),
        ("dnatRules", "dnat_rules", "DNAT规则", "DNAT rule"),
    ]},
    Service { name: "vpn", resources: resources![
        ("gateways", "vpn-gateways", "VPN网关", "VPN gateway"),
        ("connections", "vpn-connection", "VPN连接", "VPN connection"),
        ("customerGateways", "customer-gateways", "对端网关", "customer gateway"),
    ]},
    Service { name: "dc", resources: resources![
        ("directConnects", "direct-connects", "物理连接", "connection"),
        ("virtualGateways", "virtual-gateways", "虚拟网关", "virtual gateway"),
        ("virtualInterfaces", "virtual-interfaces", "虚拟接口", "virtual interface"),
    ]},
    Service { name: "cdn", resources: resources![
        ("domains", "domains", "加速域名", "acceleration domain"),
        ("refreshTasks", "refreshtasks", "缓存刷新任务", "cache refresh task"),
        ("preheatingTasks", "preheatingtasks", "缓存预热任务", "cache preheating task"),
    ]},
    Service { name: "bms", resources: resources![
        ("servers", "baremetalservers", "裸金属服务器", "BMS"),
        ("flavors", "baremetalflavors", "裸金属规格", "BMS flavor"),
    ]},
    Service { name: "dws", resources: resources![
        ("cluster", "clusters", "数据仓库集群", "data warehouse cluster"),
        ("snapshot", "snapshots", "集群快照", "cluster snapshot"),
        ("dataSource", "data-sources", "数据源", "data source"),
    ]},
    Service { name: "mrs", resources: resources![
        ("cluster", "clusters", "MapReduce集群", "MapReduce cluster"),
        ("job", "jobs", "作业", "job"),
        ("tag", "tags", "集群标签", "cluster tag"),
    ]},
    Service { name: "css", resources: resources![
        ("cluster", "clusters", "搜索集群", "search cluster"),
        ("snapshot", "snapshots", "搜索集群快照", "search cluster snapshot"),
    ]},
    Service { name: "smn", resources: resources![
        ("topic", "notifications/topics", "主题", "topic"),
        ("subscription", "notifications/subscriptions", "订阅", "subscription"),
        ("template", "notifications/message_template", "消息模板", "message template"),
    ]},
    Service { name: "cts", resources: resources![
        ("tracker", "tracker", "追踪器", "tracker"),
        ("trace", "traces", "事件", "trace"),
        ("notification", "notifications", "关键操作通知", "key event notification"),
    ]},
    Service { name: "ter", resources: resources![
        ("stacks", "stacks", "资源栈", "stack"),
        ("executionPlans", "execution-plans", "执行计划", "execution plan"),
        ("templates", "templates", "模板", "template"),
    ]},
    Service { name: "scm", resources: resources![
        ("cert", "scm/certificates", "SSL证书", "SSL certificate"),
        ("csr", "scm/csr", "证书签名请求", "certificate signing request"),
    ]},
    Service { name: "hss", resources: resources![
        ("hosts", "host-management/hosts", "主机", "host"),
        ("vulnerabilities", "vulnerability/vulnerabilities", "漏洞", "vulnerability"),
        ("events", "event/events", "安全告警事件", "security alarm event"),
        ("policies", "policy/groups", "策略组", "policy group"),
    ]},
    Service { name: "dbss", resources: resources![
        ("instances", "dbss/audit/instances", "数据库安全审计实例", "database audit instance"),
        ("rules", "dbss/audit/rule", "审计规则", "audit rule"),
    ]},
    Service { name: "eps", resources: resources![
        ("enterpriseProjects", "enterprise-projects", "企业项目", "enterprise project"),
        ("resources", "resources", "企业项目资源", "enterprise project resource"),
    ]},
    Service { name: "cfw", resources: resources![
        ("acl", "acl-rule", "访问控制策略", "access control policy"),
        ("eip", "eip", "防护公网IP", "protected EIP"),
        ("blackwhitelist", "black-white-list", "黑白名单", "blacklist or whitelist"),
    ]},
    Service { name: "config", resources: resources![
        ("rules", "policy-assignments", "合规规则", "compliance rule"),
        ("aggregators", "aggregators", "资源聚合器", "resource aggregator"),
        ("trackers", "tracker-config", "资源记录器", "resource recorder"),
    ]},
    Service { name: "ges", resources: resources![
        ("graph", "graphs", "图", "graph"),
        ("backup", "graph-backups", "图备份", "graph backup"),
        ("metadata", "graph-metadatas", "元数据", "metadata"),
    ]},
    Service { name: "modelarts", resources: resources![
        ("notebook", "notebooks", "开发环境", "notebook"),
        ("trainJob", "training-jobs", "训练作业", "training job"),
        ("model", "models", "模型", "model"),
        ("service", "services", "在线服务", "real-time service"),
        ("dataset", "datasets", "数据集", "dataset"),
    ]},
    Service { name: "dli", resources: resources![
        ("queue", "queues", "队列", "queue"),
        ("database", "databases", "数据库", "database"),
        ("jobs", "jobs", "作业", "job"),
        ("table", "tables", "表", "table"),
    ]},
    Service { name: "aom", resources: resources![
        ("alarmRules", "alarm-rules", "阈值规则", "threshold rule"),
        ("metrics", "ams/metrics", "指标", "metric"),
        ("prometheus", "prometheus-instances", "普罗米修斯实例", "Prometheus instance"),
    ]},
];

/// An operation on a resource type: its action verb, HTTP method, path shape and name templates. In
/// the templates `{r}` is the resource's name, `{rs}` its English plural and `{a_r}` the name with
/// "a" or "an". `{s}` and `{ss}` are a sub-resource's name and plural.
struct Operation {
    verb: &'static str,
    method: &'static str,
    shape: Shape,
    zh: &'static str,
    en: &'static str,
}

#[derive(Clone, Copy)]
enum Shape {
    /// `/{resource}`
    Collection,
    /// `/{resource}/detail`
    Detail,
    /// `/{resource}/{resource_id}`
    Item,
    /// `/{resource}/{resource_id}/{suffix}`
    ItemAction(&'static str),
    /// `/{resource}/{resource_id}/{sub}`
    SubCollection,
    /// `/{resource}/{resource_id}/{sub}/{sub_id}`
    SubItem,
    /// `/{resource}/batch-{suffix}`
    Batch(&'static str),
}

const OPERATIONS: &[Operation] = &[
    Operation { verb: "create", method: "POST", shape: Shape::Collection, zh: "创建{r}", en: "Create {a_r}" },
    Operation { verb: "list", method: "GET", shape: Shape::Collection, zh: "查询{r}列表", en: "List {rs}" },
    Operation { verb: "list", method: "GET", shape: Shape::Detail, zh: "查询{r}详情列表", en: "List {r} details" },
    Operation { verb: "get", method: "GET", shape: Shape::Item, zh: "查询单个{r}详情", en: "Query {a_r}" },
    Operation { verb: "update", method: "PUT", shape: Shape::Item, zh: "修改{r}", en: "Update {a_r}" },
    Operation { verb: "delete", method: "DELETE", shape: Shape::Item, zh: "删除{r}", en: "Delete {a_r}" },
    Operation { verb: "start", method: "POST", shape: Shape::ItemAction("start"), zh: "启动{r}", en: "Start {a_r}" },
    Operation { verb: "stop", method: "POST", shape: Shape::ItemAction("stop"), zh: "停止{r}", en: "Stop {a_r}" },
    Operation { verb: "reboot", method: "POST", shape: Shape::ItemAction("reboot"), zh: "重启{r}", en: "Restart {a_r}" },
    Operation { verb: "resize", method: "POST", shape: Shape::ItemAction("resize"), zh: "变更{r}规格", en: "Change the specifications of {a_r}" },
    Operation { verb: "rollback", method: "POST", shape: Shape::ItemAction("rollback"), zh: "回滚{r}", en: "Roll back {a_r}" },
    Operation { verb: "export", method: "POST", shape: Shape::ItemAction("export"), zh: "导出{r}", en: "Export {a_r}" },
    Operation { verb: "list", method: "GET", shape: Shape::SubCollection, zh: "查询{r}的{s}列表", en: "List the {ss} of {a_r}" },
    Operation { verb: "update", method: "POST", shape: Shape::SubCollection, zh: "添加{r}的{s}", en: "Add {ss} to {a_r}" },
    Operation { verb: "get", method: "GET", shape: Shape::SubItem, zh: "查询{r}的单个{s}", en: "Query one {s} of {a_r}" },
    Operation { verb: "update", method: "PUT", shape: Shape::SubItem, zh: "更新{r}的单个{s}", en: "Update one {s} of {a_r}" },
    Operation { verb: "delete", method: "DELETE", shape: Shape::SubItem, zh: "删除{r}的单个{s}", en: "Delete one {s} of {a_r}" },
    Operation { verb: "create", method: "POST", shape: Shape::Batch("create"), zh: "批量创建{r}", en: "Create {rs} in batches" },
    Operation { verb: "delete", method: "POST", shape: Shape::Batch("delete"), zh: "批量删除{r}", en: "Delete {rs} in batches" },
    Operation { verb: "get", method: "GET", shape: Shape::Batch("count"), zh: "查询{r}数量", en: "Count {rs}" },
];

/// Sub-resources that many resource types have: path segment, Chinese and English names.
const SUB_RESOURCES: &[(&str, &str, &str)] = &[
    ("tags", "标签", "tag"),
    ("metadata", "元数据", "metadata item"),
    ("members", "成员", "member"),
    ("logs", "日志", "log"),
    ("versions", "版本", "version"),
    ("quotas", "配额", "quota"),
    ("events", "事件", "event"),
    ("rules", "规则", "rule"),
    ("configs", "配置", "configuration"),
    ("jobs", "任务", "task"),
];

/// The API versions a path starts with. A collision with an earlier API moves to the next version, so
/// catalogs larger than the combinations still get unique method and path pairs.
const FIRST_VERSIONS: &[&str] = &["v1", "v2", "v3", "v1.1", "v2.1"];

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014). It is
/// written out here rather than taken from `rand` because a seed must give the same catalog across
/// dependency upgrades, which `rand`'s `StdRng` does not promise.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Draws a number in `0..bound`. The modulo bias is negligible for the small bounds used here.
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Generates a catalog of `count` APIs (at least 1, at most [`MAX_APIS`]) from `seed`. Every method and
/// path pair is unique, so the result passes catalog validation.
pub fn synthesize(count: usize, seed: u64) -> Catalog {
    assert!((1..=MAX_APIS).contains(&count), "synthesize takes 1 to {MAX_APIS} APIs, got {count}");
    let mut rng = SplitMix64(seed);
    let mut seen: HashSet<(String, String)> = HashSet::with_capacity(count);
    let mut apis = Vec::with_capacity(count);
    while apis.len() < count {
        let service = &SERVICES[rng.below(SERVICES.len())];
        let resource = &service.resources[rng.below(service.resources.len())];
        let operation = &OPERATIONS[rng.below(OPERATIONS.len())];
        let sub = SUB_RESOURCES[rng.below(SUB_RESOURCES.len())];
        let mut version = rng.below(FIRST_VERSIONS.len());
        let tail = path_tail(resource, operation.shape, sub.0);
        let method = operation.method;
        let path = loop {
            let candidate = format!("/{}/{{project_id}}/{tail}", version_name(version));
            if !seen.contains(&(method.to_owned(), candidate.clone())) {
                break candidate;
            }
            version += 1;
        };
        seen.insert((method.to_owned(), path.clone()));

        let mut zh = operation.zh.replace("{r}", resource.zh).replace("{s}", sub.1);
        let en = english_name(operation.en, resource.en, sub.2);
        // Huawei's tables mark the OpenStack-compatible twin of an API in its name.
        if version == 1 && rng.chance(30) {
            zh.push_str("（OpenStack）");
        }

        let mut actions = vec![format!("{}:{}:{}", service.name, resource.action, operation.verb)];
        // Changing an existing resource usually needs the permission to read it first.
        if matches!(operation.verb, "update" | "delete" | "rollback" | "resize") && rng.chance(60) {
            actions.push(format!("{}:{}:get", service.name, resource.action));
        }
        // Some APIs also read a resource of another service, as creating a server reads its subnet.
        if operation.verb == "create" && rng.chance(40) {
            let other = &SERVICES[rng.below(SERVICES.len())];
            let other_resource = &other.resources[rng.below(other.resources.len())];
            let dependency = format!("{}:{}:get", other.name, other_resource.action);
            if !actions.contains(&dependency) {
                actions.push(dependency);
            }
        }

        apis.push(Api {
            name: Name { zh, en },
            method: method.to_owned(),
            path,
            aliases: Vec::new(),
            actions,
            scopes: Scopes { project: true, enterprise_project: rng.chance(40) },
        });
    }

    let mut services: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
    services.sort_unstable();
    Catalog { service: services.join(","), apis }
}

/// Builds a policy at Huawei's limits for benchmarks: 8 statements of 100 action patterns each, most
/// with wildcards (`svc:*:get*`, `svc:res:*`, `svc:*:list*`, `svc:res:x*`, then an exact action), over
/// `catalog`'s actions. Two statements deny and one has a Condition, so every status occurs.
pub fn policy_at_limits(catalog: &Catalog) -> Policy {
    let actions = catalog.actions();
    let mut statements = Vec::new();
    if actions.is_empty() {
        return Policy { statements };
    }
    for s in 0..8 {
        let patterns: Vec<String> = (0..100)
            .map(|p| {
                let action = &actions[(s * 100 + p) * 7 % actions.len()];
                let mut segments = action.split(':');
                let (service, resource, operation) = (
                    segments.next().unwrap_or_default(),
                    segments.next().unwrap_or_default(),
                    segments.next().unwrap_or_default(),
                );
                match p % 5 {
                    0 => format!("{service}:*:get*"),
                    1 => format!("{service}:{resource}:*"),
                    2 => format!("{service}:*:list*"),
                    3 => format!("{service}:{resource}:{}*", operation.chars().next().unwrap_or('x')),
                    _ => action.clone(),
                }
            })
            .collect();
        let mut statement = if s >= 6 { Statement::deny(patterns) } else { Statement::allow(patterns) };
        if s == 5 {
            let condition = serde_json::json!({"StringEquals": {"g:ProjectName": ["cn-north-4"]}});
            statement.condition = condition.as_object().cloned();
        }
        statements.push(statement);
    }
    Policy { statements }
}

fn english_name(template: &str, resource: &str, sub: &str) -> String {
    let article = if resource.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    template
        .replace("{a_r}", &format!("{article} {resource}"))
        .replace("{rs}", &plural(resource))
        .replace("{ss}", &plural(sub))
        .replace("{r}", resource)
        .replace("{s}", sub)
}

/// Forms the English plural, good enough for the names above: acronyms and words ending in s or
/// "data" stay as they are.
fn plural(noun: &str) -> String {
    if noun.ends_with(|c: char| c == 's' || c.is_ascii_uppercase()) || noun.ends_with("data") {
        noun.to_owned()
    } else if let Some(stem) = noun.strip_suffix('y').filter(|stem| !stem.ends_with(['a', 'e', 'o'])) {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

fn version_name(index: usize) -> String {
    match FIRST_VERSIONS.get(index) {
        Some(name) => (*name).to_owned(),
        None => format!("v{}", index - FIRST_VERSIONS.len() + 4),
    }
}

fn path_tail(resource: &Resource, shape: Shape, sub: &str) -> String {
    let base = resource.path;
    let id = id_placeholder(base);
    match shape {
        Shape::Collection => base.to_owned(),
        Shape::Detail => format!("{base}/detail"),
        Shape::Item => format!("{base}/{{{id}}}"),
        Shape::ItemAction(suffix) => format!("{base}/{{{id}}}/{suffix}"),
        Shape::SubCollection => format!("{base}/{{{id}}}/{sub}"),
        Shape::SubItem => format!("{base}/{{{id}}}/{sub}/{{{}}}", id_placeholder(sub)),
        Shape::Batch(suffix) => format!("{base}/batch-{suffix}"),
    }
}

/// `cloudservers` → `cloudserver_id`, `notifications/topics` → `topic_id`.
fn id_placeholder(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or(path);
    let singular = last.strip_suffix('s').unwrap_or(last);
    format!("{}_id", singular.replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_catalog() {
        assert_eq!(synthesize(500, 7), synthesize(500, 7));
        assert_ne!(synthesize(500, 7), synthesize(500, 8));
    }

    #[test]
    fn output_is_valid_catalog() {
        let catalog = synthesize(5000, 1);
        assert_eq!(catalog.apis.len(), 5000);
        let text = serde_json::to_string(&catalog).unwrap();
        let parsed = Catalog::parse("synth.json", &text).unwrap();
        assert_eq!(parsed, catalog);
    }

    #[test]
    fn policy_at_limits_has_every_status() {
        let catalog = synthesize(2000, 1);
        let policy = policy_at_limits(&catalog);
        assert_eq!(policy.statements.len(), 8);
        assert!(policy.statements.iter().all(|s| s.actions.len() == 100));
        let verdicts = crate::eval::evaluate(&catalog, &policy, crate::catalog::Scope::Project);
        assert!(verdicts.iter().any(|v| v.callable));
        assert!(verdicts.iter().any(|v| v.conditional));
        let statuses: Vec<_> = verdicts.iter().flat_map(|v| v.statuses.iter().copied()).collect();
        assert!(statuses.contains(&crate::eval::ActionStatus::Denied));
        assert!(statuses.contains(&crate::eval::ActionStatus::NotAllowed));
        assert!(policy_at_limits(&Catalog { apis: Vec::new(), ..catalog }).statements.is_empty());
    }

    #[test]
    fn spans_many_services() {
        let catalog = synthesize(2000, 3);
        let services: HashSet<&str> =
            catalog.apis.iter().map(|api| api.actions[0].split(':').next().unwrap()).collect();
        assert!(services.len() >= 40, "only {} services", services.len());
        assert!(catalog.apis.iter().any(|api| api.scopes.enterprise_project));
        assert!(catalog.apis.iter().any(|api| !api.scopes.enterprise_project));
    }

    #[test]
    fn large_catalog_keeps_paths_unique() {
        // More APIs than the first five versions can hold, so later versions (v4, v5, ...) appear.
        let catalog = synthesize(60_000, 2);
        assert!(catalog.apis.iter().any(|api| api.path.starts_with("/v4/")));
        let mut keys: Vec<String> = catalog.apis.iter().map(Api::key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 60_000);
    }

    #[test]
    fn english_names_read_naturally() {
        assert_eq!(english_name("Create {a_r}", "EVS disk", ""), "Create an EVS disk");
        assert_eq!(english_name("List {rs}", "policy", ""), "List policies");
        assert_eq!(english_name("List the {ss} of {a_r}", "vault", "tag"), "List the tags of a vault");
        assert_eq!(plural("ECS"), "ECS");
        assert_eq!(plural("metadata"), "metadata");
        assert_eq!(plural("gateway"), "gateways");
    }

    #[test]
    fn id_placeholders() {
        assert_eq!(id_placeholder("cloudservers"), "cloudserver_id");
        assert_eq!(id_placeholder("notifications/topics"), "topic_id");
        assert_eq!(id_placeholder("os-keypairs"), "os_keypair_id");
        assert_eq!(id_placeholder("metadata"), "metadata_id");
    }
}
