use super::Strings;

pub const STRINGS: Strings = Strings {
    app_title: "permscope",
    scope_project: "IAM 项目",
    scope_enterprise: "企业项目",
    scope_label: "授权范围：",
    callable_count: |callable, conditional, total| format!("可调用 {callable}/{total}，有条件 {conditional}"),
    services_count: |count| format!("{count} 个服务"),

    apis_title: "API",
    apis_filtered_title: |shown, total, query| format!("API {shown}/{total} 匹配“{query}”"),
    column_status: "",
    column_name: "名称",
    column_method: "方法",
    column_path: "路径",
    column_actions: "授权项",
    no_matches: "没有匹配的 API。按 Esc 清除搜索。",

    detail_title: "详情",
    detail_aliases: "别名：",
    detail_no_aliases: "无",
    detail_scopes: "生效范围：",
    detail_actions: "所需授权项：",
    detail_picked: "已选",
    status_callable: "✔ 可调用",
    status_conditional: "? 有条件：取决于 Condition 或 Resource",
    status_blocked: "✘ 不可调用",
    status_out_of_scope: |scope| format!("- 在{scope}范围授权时不生效"),
    action_granted_single: "已授权",
    action_granted_picked: "已授权（已选 API）",
    action_allowed_by: |pattern, statement| format!("由 {pattern} 允许（第 {statement} 条语句）"),
    action_conditional_by: |pattern, statement| format!("有条件：{pattern}（第 {statement} 条语句）"),
    action_denied_by: |pattern, statement| format!("被 {pattern} 拒绝（第 {statement} 条语句）"),
    action_missing: "缺少",
    supported: "✔",
    unsupported: "✘",

    actions_title: |granted, total| format!("授权项 已允许 {granted}/{total}"),
    actions_needed_by: |count| format!("{count} 个 API"),

    policy_title: |chars, max| format!("策略 {chars}/{max} 字符"),
    policy_empty: "尚未授权。在 API 或授权项上按空格键。",

    search_prompt: "搜索：",
    search_matches: |count| format!("{count} 个匹配"),

    export_title: "导出策略",
    export_path: "文件：",
    export_format: "格式：",
    export_hint: "Enter 写入 · Tab 切换格式 · ↑↓ 切换字段 · Esc 取消",
    export_no_default: "未设置主目录：请输入要写入文件的完整路径。",
    export_exists: |path| format!("{path} 已存在。再按 Enter 覆盖，或修改路径。"),
    export_empty_path: "请先输入文件路径。",
    exported: |path, chars| format!("已写入 {path}（{chars} 字符）。"),
    export_failed: |path, error| format!("无法写入 {path}：{error}。未做任何更改。"),
    export_refused: |reason| format!("未导出：华为云会拒绝此策略：{reason}"),
    export_name: "名称：",
    export_description: "描述：",
    export_empty_policy: "没有可导出的内容：请先授予至少一个授权项。",
    export_missing_name: "请输入自定义策略的名称：此格式会创建一个具名策略。",
    export_missing_description: "请输入描述：华为云要求每个自定义策略都有描述。",
    export_name_too_long: |count, max| format!("名称有 {count} 个字符；华为云最多允许 {max} 个。"),
    export_control_character: "请从名称和描述中删除换行、制表符等控制字符。",

    request_prompt: "请求：",
    request_matched: |line, api, count| {
        if count == 1 {
            format!("{line} 调用的是 {api}。")
        } else {
            format!("{line} 匹配 {count} 个 API；已选中 {api}。加上请求方法可以缩小范围。")
        }
    },
    request_no_match: |line, closest| {
        if closest.is_empty() {
            format!("目录中没有与 {line} 匹配的 API。")
        } else {
            format!("目录中没有与 {line} 匹配的 API。最接近的是：{closest}")
        }
    },
    request_invalid: |line, reason| format!("无法解析请求 {line}：{reason}"),
    request_empty: "请求为空",
    request_unknown_method: |method, suggestion| match suggestion {
        Some(s) => format!("{method} 不是 HTTP 方法；是否想输入 {s}？"),
        None => format!("{method} 不是 HTTP 方法"),
    },
    request_not_a_path: |target| format!("{target} 既不是以 / 开头的路径，也不是 http(s) URL"),
    request_too_many_parts: |count| format!("应为“[方法] 路径或URL”，实际有 {count} 个词"),

    findings_title: |errors, warnings| format!("检查结果：{errors} 个错误，{warnings} 个警告"),
    source_title: |name| format!("策略文件 {name}（v：草稿）"),
    finding_title: |code| {
        Some(match code {
            "json-syntax" => "JSON 无效",
            "not-object" => "不是策略对象",
            "version" => "Version 不正确",
            "statement" => "Statement 无效",
            "effect" => "Effect 无效",
            "action-missing" => "缺少 Action",
            "action-type" => "Action 不是字符串列表",
            "action-empty" => "Action 为空",
            "action-format" => "授权项格式错误",
            "condition-type" => "Condition 无效",
            "resource-type" => "Resource 无效",
            "duplicate-key" => "键重复",
            "unknown-key" => "未知的键",
            "unsupported-key" => "1.1 版本不支持的键",
            "uppercase-service" => "服务名含大写字母",
            "question-mark" => "? 不是通配符",
            "service-wildcard" => "服务名中使用了 *",
            "no-statements" => "没有语句",
            "deny-only" => "只有 Deny 语句",
            "limit-chars" => "超过 6,144 个字符",
            "limit-statements" => "超过 8 条语句",
            "limit-actions" => "单条语句超过 100 个授权项",
            "limit-conditions" => "单条语句超过 10 个条件",
            "limit-resources" => "单条语句超过 10 个资源",
            "unknown-action" => "目录中没有该授权项",
            "allow-cancelled" => "Allow 被 Deny 抵消",
            "service-wide-wildcard" => "服务级通配符",
            "near-limit-chars" => "接近长度上限",
            _ => return None,
        })
    },
    severity_error: "错误",
    severity_warning: "警告",

    copied_system: "已将策略复制到剪贴板；permscope 退出后仍然保留。",
    copied_system_transient: "已将策略复制到剪贴板，但 permscope 退出后会丢失。",
    copied_osc52: "已通过终端剪贴板（OSC 52）发送策略。终端无法确认是否成功：请粘贴检查。",
    copied_osc52_tmux: "已通过 tmux（OSC 52）发送策略到剪贴板。需要 tmux 开启 set-clipboard 或 allow-passthrough；请粘贴检查。",
    copy_fallback: |error| format!("没有可用的系统剪贴板（{error}）；已改用终端剪贴板（OSC 52）发送。请粘贴检查。"),
    copy_failed: |error| format!("复制失败：{error}"),
    copying: "正在复制…",

    picked: |api, granted| {
        if granted.is_empty() {
            format!("已选 {api}；其授权项已全部授予。")
        } else {
            format!("已选 {api}：授予 {}。", granted.join("、"))
        }
    },
    unpicked: |api, revoked| {
        if revoked.is_empty() {
            format!("已取消选择 {api}；其授权项仍被其他授权需要。")
        } else {
            format!("已取消选择 {api}：撤销 {}。", revoked.join("、"))
        }
    },
    granted_action: |action| format!("已授予 {action}。"),
    revoked_action: |action, unpicked| {
        if unpicked == 0 {
            format!("已撤销 {action}。")
        } else {
            format!("已撤销 {action}，并取消选择需要它的 {unpicked} 个 API。")
        }
    },
    still_blocked: |actions| format!("仍不可调用：{} 被拒绝。", actions.join("、")),
    scope_switched: |scope| format!("授权范围：{scope}。"),

    state_restored: |path| format!("已从 {path} 恢复草稿。"),
    state_corrupt: |path, moved, error| format!("保存的草稿 {path} 无效（{error}）；已移至 {moved}。"),
    state_unreadable: |path, error| {
        format!(
            "无法读取保存的草稿 {path}：{error}。修正之前不会保存任何内容：\
             请移走占据目录位置的文件或修正权限，然后重新启动 permscope。"
        )
    },
    state_save_failed: |path, error| format!("无法将草稿保存到 {path}：{error}。"),
    state_not_saved: "未设置主目录：草稿不会被保存。",
    policy_loaded: |path, statements| format!("已加载 {path}（{statements} 条语句）。"),
    dropped_picks: |count| format!("保存的草稿中有 {count} 个已选 API 不在此目录中，它们的授权项仍保留为已授予。"),

    help_title: "按键",
    help_close: "按 ? 或 Esc 关闭",
    help_context_table: "API 表",
    help_context_actions: "授权项列表",
    help_context_panes: "窗格内移动",
    help_context_search: "搜索",
    help_context_export: "导出对话框",
    help_context_findings: "检查结果",
    help_context_request: "请求查找",
    help_context_global: "任何位置",
    help_legend: "✔ 可调用  ? 有条件  ✘ 不可调用  - 此范围不生效  * 已选",

    too_small: |width, height, min_width, min_height| {
        format!("终端太小：{width}×{height}。permscope 至少需要 {min_width}×{min_height}。")
    },

    key_quit: "退出",
    key_move: "移动",
    key_page: "翻页",
    key_top_bottom: "首/尾",
    key_focus: "切换窗格",
    key_pick: "选择 API",
    key_toggle: "授予/撤销",
    key_search: "搜索",
    key_scope: "授权范围",
    key_export: "导出",
    key_copy: "复制",
    key_help: "帮助",
    key_lang: "English",
    key_accept: "保留筛选",
    key_cancel: "取消",
    key_close: "关闭",
    key_clear: "清除",
    key_format: "格式",
    key_write: "写入",
    key_jump: "在文件中查看",
    key_request: "查找请求对应的 API",
    key_source: "策略文件/草稿",
    key_find: "查找",
    key_field: "字段",

    not_a_terminal: "全屏界面需要交互式终端。脚本中请使用子命令：permscope check、search、policy（见 permscope --help）。",
    dumb_terminal: "TERM=dumb 时无法运行全屏界面。请设置 TERM（例如 xterm-256color），或使用子命令：permscope check、search、policy。",
};
