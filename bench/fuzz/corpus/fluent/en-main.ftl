# Interface strings of the default theme, English (the default language).
# Every other language in i18n/<lang>/main.ftl carries the same keys.

## Page chrome
skip-to-content = Skip to main content
site-tagline = Outputs of the Internet Governance Forum's intersessional work
main-navigation = Main navigation
language-switcher-label = Language
breadcrumb-label = You are here
footer-about = The Internet Governance Forum (IGF) is a global multistakeholder platform convened by the Secretary-General of the United Nations that facilitates the discussion of public policy issues pertaining to the Internet.
footer-feed = Atom feed of the latest publications
footer-sitemap = Site map
on-this-page = On this page
back-to-top = Back to top

## Language names, as said in this language
language-en = English
language-fr = French
language-es = Spanish
language-ru = Russian
language-ar = Arabic
language-zh = Chinese

## A page shown in another language because it has no translation yet
fallback-notice = This page is not yet available in { $language }. It is shown in { $original }.
fallback-notice-link = Read the original page
stale-notice = The original of this page has been updated since this translation was made.
stale-notice-link = Read the updated original ({ $original })
translations-available = Also available in

## Page metadata
published-on = Published { $date }
updated-on = Updated { $date }
published-by = Published by { $group }
authors = Authors
region = Region
country = Country
themes = Themes
kind = Type
date = Date
year = Year
group = Group
attachments = Documents
attachment-link = { $title } ({ $language }, { $format })

## Kinds of work
kind-bpf-output = Best Practice Forum output
kind-dc-paper = Dynamic Coalition paper
kind-nri-report = NRI report
kind-meeting-summary = Meeting summary
kind-page = Page

## Regions
region-africa = Africa
region-asia-pacific = Asia-Pacific
region-eastern-europe = Eastern Europe
region-grulac = Latin America and the Caribbean
region-weog = Western Europe and Others
region-global = Global

## Themes
theme-access = Access
theme-content-regulation = Content regulation
theme-cybersecurity = Cybersecurity
theme-data = Data
theme-digital-economy = Digital economy
theme-emerging-technologies = Emerging technologies
theme-environment = Environment
theme-human-rights = Human rights
theme-inclusion = Inclusion
theme-trust = Trust
theme-gender = Gender
theme-local-content = Local content

## Listings
latest-publications = Latest publications
sections = Browse the archive
browse-by-group = By group
browse-by-year = By year
browse-by-theme = By theme
browse-by-region = By region
group-page-title = Work of { $group }
year-page-title = Published in { $year }
theme-page-title = Theme: { $theme }
region-page-title = Region: { $region }
taxonomy-group = Groups
taxonomy-year = Years
taxonomy-theme = Themes
taxonomy-region = Regions
pages-count =
    { $count ->
        [one] { $count } publication
       *[other] { $count } publications
    }
no-pages = Nothing has been published here yet.
read-more = Read more

## Pagination
pagination-label = Pages
pagination-previous = Previous
pagination-next = Next
pagination-status = Page { $current } of { $total }

## Dates: the numeric parts come from the build; the order is this language's
date-format = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Feeds
feed-title = { $site }: latest publications

## Page not found
not-found-title = Page not found
not-found-text = The page you asked for does not exist here. It may have moved, or the address may have a typo.
not-found-home = Go to the home page

## Search
search-title = Search
search-title-query = Search results for “{ $query }”
search-header-label = Search the site
search-label = Words to search for
search-submit = Search
search-hint = Searches titles and full text. Put words in quotes to find an exact phrase.
search-keyboard-hint = Keyboard: / goes to the search box, ↓ and ↑ move between results, Esc clears the box.
search-language = Language of the results
search-all-languages = All languages
search-results = Results
search-count =
    { $count ->
        [0] No results for “{ $query }”
        [one] One result for “{ $query }”
       *[other] { $count } results for “{ $query }”
    }
search-no-results-hint = Check the spelling, use fewer or more general words, or search in all languages.
search-filters = Refine the results
search-facet-kind = Type
search-facet-group = Group
search-facet-year = Year
search-facet-theme = Theme
search-facet-region = Region
search-facet-source = Published by
search-facet-site = Site
search-filter-selected = (selected: select it again to remove this filter)
search-translations = Also in:
search-unavailable = Search is not available on this copy of the site. You can still browse the archive by group, year, theme or region.

## Members: the groups whose own content trees the site brings together
members-title = Members
member-kind-bpf = Best Practice Forums
member-kind-dc = Dynamic Coalitions
member-kind-nri = National, Regional and Youth IGFs
member-kind = Type of group
member-website = Website
member-contact = Contact
member-licence = Licence
member-works = Publications
member-region-none = Other
footer-members = Members: who publishes here

## Translation dashboard
dashboard-title = Translation status
dashboard-intro = What is translated in each language, and what is left to do: pages whose original has changed since they were translated, pages not yet translated, and interface messages.
dashboard-summary = Summary by language
dashboard-language = Language
dashboard-pages = Pages translated
dashboard-stale = Out of date
dashboard-missing = Not translated
dashboard-messages = Interface messages
dashboard-pages-to-do = Pages to translate or bring up to date
dashboard-original = Original
dashboard-state = State
dashboard-file = File to edit
dashboard-state-stale = Translation out of date
dashboard-state-missing = Not translated yet
dashboard-missing-messages = Interface messages not yet translated
dashboard-done = Everything is translated and up to date.
