# A comment
## Group comment
-brand = Plenary
    .gender = feminine
hello = Hello { $title }, from { -brand }
    .title = { hello }
pages-count = { $count ->
    [one] one page
    [few] { $count } pages
   *[other] { NUMBER($count) } pages
}
nested = { PLURAL_CATEGORY($count) ->
    [one] { -brand.gender ->
        [feminine] elle
       *[other] il
    }
   *[other] { pages-count }
}
literal = { "quoted \u00e9 \"text\"" } { 42 }
multiline =
    First line
    second line
cycle-a = { cycle-b }
cycle-b = { cycle-a }
missing-ref = { no-such-message } { -no-such-term }
junk line without equals
