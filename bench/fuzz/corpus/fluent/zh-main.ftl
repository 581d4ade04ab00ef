# 默认主题的界面字符串，中文（默认语言为英文）。
# i18n/<lang>/main.ftl 中的其他各语言均使用相同的键。

## 页面框架
skip-to-content = 跳至主要内容
site-tagline = 互联网治理论坛闭会期间工作成果
main-navigation = 主导航
language-switcher-label = 语言
breadcrumb-label = 当前位置
footer-about = 互联网治理论坛是由联合国秘书长召集的全球多利益攸关方平台，为讨论与互联网有关的公共政策问题提供便利。
footer-feed = 最新出版物 Atom 订阅源
footer-sitemap = 网站地图
on-this-page = 本页内容
back-to-top = 返回顶部

## 语言名称（以本语言表述）
language-en = 英文
language-fr = 法文
language-es = 西班牙文
language-ru = 俄文
language-ar = 阿拉伯文
language-zh = 中文

## 因尚无译文而以另一种语言显示的页面
fallback-notice = 本页面尚无{ $language }版本，现以{ $original }显示。
fallback-notice-link = 查看原始页面
stale-notice = 本页原文在此译文完成后已有更新。
stale-notice-link = 查看更新后的原文（{ $original }）
translations-available = 其他语言版本

## 页面元数据
published-on = 发布于{ $date }
updated-on = 更新于{ $date }
published-by = 发布者：{ $group }
authors = 作者
region = 区域
country = 国家
themes = 主题
kind = 类型
date = 日期
year = 年份
group = 小组
attachments = 文件
attachment-link = { $title }（{ $language }，{ $format }）

## 工作类型
kind-bpf-output = 最佳做法论坛成果文件
kind-dc-paper = 动态联盟文件
kind-nri-report = 国家、区域和青年互联网治理论坛倡议报告
kind-meeting-summary = 会议摘要
kind-page = 页面

## 区域
region-africa = 非洲
region-asia-pacific = 亚洲及太平洋
region-eastern-europe = 东欧
region-grulac = 拉丁美洲和加勒比
region-weog = 西欧和其他国家
region-global = 全球

## 主题
theme-access = 接入
theme-content-regulation = 内容监管
theme-cybersecurity = 网络安全
theme-data = 数据
theme-digital-economy = 数字经济
theme-emerging-technologies = 新兴技术
theme-environment = 环境
theme-human-rights = 人权
theme-inclusion = 包容
theme-trust = 信任
theme-gender = 性别问题
theme-local-content = 本地内容

## 列表
latest-publications = 最新出版物
sections = 浏览存档
browse-by-group = 按小组
browse-by-year = 按年份
browse-by-theme = 按主题
browse-by-region = 按区域
group-page-title = { $group }的工作
year-page-title = { $year }年发布
theme-page-title = 主题：{ $theme }
region-page-title = 区域：{ $region }
taxonomy-group = 小组
taxonomy-year = 年份
taxonomy-theme = 主题
taxonomy-region = 区域
pages-count =
    { $count ->
       *[other] { $count } 份出版物
    }
no-pages = 此处尚未发布任何内容。
read-more = 阅读全文

## 分页
pagination-label = 分页
pagination-previous = 上一页
pagination-next = 下一页
pagination-status = 第 { $current } 页，共 { $total } 页

## 日期：数字部分由构建过程生成；顺序遵循本语言的习惯
date-format = { $year }年{ $month }{ $day }日
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月

## 订阅源
feed-title = { $site }：最新出版物

## 未找到页面
not-found-title = 未找到页面
not-found-text = 您请求的页面在此不存在。该页面可能已被移走，或者地址可能有拼写错误。
not-found-home = 前往首页

## 搜索
search-title = 搜索
search-title-query = “{ $query }”的搜索结果
search-header-label = 站内搜索
search-label = 搜索词
search-submit = 搜索
search-hint = 搜索范围包括标题和全文。将词语放在引号内可查找完全一致的短语。
search-keyboard-hint = 键盘操作：按 / 跳至搜索框，按 ↓ 和 ↑ 在结果之间移动，按 Esc 清空搜索框。
search-language = 结果语言
search-all-languages = 所有语言
search-results = 搜索结果
search-count =
    { $count ->
        [0] 未找到与“{ $query }”相关的结果
       *[other] 找到 { $count } 条与“{ $query }”相关的结果
    }
search-no-results-hint = 请检查拼写，尝试减少词语或改用更宽泛的词语，或在所有语言中搜索。
search-filters = 筛选结果
search-facet-kind = 类型
search-facet-group = 小组
search-facet-year = 年份
search-facet-theme = 主题
search-facet-region = 区域
search-facet-source = 发布者
search-facet-site = 网站
search-filter-selected = （已选定；再次选择即可取消此筛选条件）
search-translations = 其他语言版本：
search-unavailable = 本网站副本不提供搜索功能。您仍可按小组、年份、主题或区域浏览档案。

## 成员：本网站汇集其内容的各个小组
members-title = 成员
member-kind-bpf = 最佳做法论坛
member-kind-dc = 动态联盟
member-kind-nri = 国家、区域和青年互联网治理论坛
member-kind = 小组类型
member-website = 网站
member-contact = 联系方式
member-licence = 许可
member-works = 出版物
member-region-none = 其他
footer-members = 成员：在此发布的机构

## 翻译面板
dashboard-title = 翻译状态
dashboard-intro = 各语言已翻译的内容和尚待完成的工作：原文在翻译后有改动的页面、尚未翻译的页面以及界面消息。
dashboard-summary = 按语言汇总
dashboard-language = 语言
dashboard-pages = 已翻译页面
dashboard-stale = 已过时
dashboard-missing = 未翻译
dashboard-messages = 界面消息
dashboard-pages-to-do = 待翻译或待更新的页面
dashboard-original = 原文
dashboard-state = 状态
dashboard-file = 要编辑的文件
dashboard-state-stale = 译文已过时
dashboard-state-missing = 尚未翻译
dashboard-missing-messages = 尚未翻译的界面消息
dashboard-done = 全部已翻译且为最新。
