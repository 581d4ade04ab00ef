# سلاسل الواجهة للسمة الافتراضية، باللغة العربية (اللغة الافتراضية هي الإنكليزية).
# تتضمن كل لغة أخرى، في i18n/<lang>/main.ftl، المفاتيح نفسها.

## عناصر إطار الصفحة
skip-to-content = الانتقال إلى المحتوى الرئيسي
site-tagline = نواتج الأعمال المضطلع بها بين الدورات في إطار منتدى إدارة الإنترنت
main-navigation = قائمة التصفح الرئيسية
language-switcher-label = اللغة
breadcrumb-label = أنت هنا
footer-about = منتدى إدارة الإنترنت منصة عالمية لأصحاب المصلحة المتعددين يعقدها الأمين العام للأمم المتحدة، وتيسّر مناقشة قضايا السياسات العامة المتصلة بالإنترنت.
footer-feed = موجز Atom لأحدث المنشورات
footer-sitemap = خريطة الموقع
on-this-page = في هذه الصفحة
back-to-top = العودة إلى أعلى الصفحة

## أسماء اللغات كما تُكتب بهذه اللغة
language-en = الإنكليزية
language-fr = الفرنسية
language-es = الإسبانية
language-ru = الروسية
language-ar = العربية
language-zh = الصينية

## صفحة معروضة بلغة أخرى لعدم توافر ترجمة لها بعدُ
fallback-notice = هذه الصفحة غير متاحة بعدُ باللغة { $language }، وهي معروضة باللغة { $original }.
fallback-notice-link = الاطلاع على الصفحة الأصلية
stale-notice = جرى تحديث النص الأصلي لهذه الصفحة بعد إعداد هذه الترجمة.
stale-notice-link = الاطلاع على النص الأصلي المحدَّث ({ $original })
translations-available = اللغات الأخرى المتاحة

## البيانات الوصفية للصفحة
published-on = نُشر في { $date }
updated-on = حُدّث في { $date }
published-by = صادر عن { $group }
authors = المؤلفون
region = المنطقة
country = البلد
themes = المواضيع
kind = النوع
date = التاريخ
year = السنة
group = المجموعة
attachments = الوثائق
attachment-link = { $title } ({ $language }، { $format })

## أنواع الأعمال
kind-bpf-output = وثيقة ختامية لمنتدى أفضل الممارسات
kind-dc-paper = ورقة صادرة عن ائتلاف دينامي
kind-nri-report = تقرير مبادرة وطنية أو إقليمية أو شبابية
kind-meeting-summary = موجز اجتماع
kind-page = صفحة

## المناطق
region-africa = أفريقيا
region-asia-pacific = آسيا والمحيط الهادئ
region-eastern-europe = أوروبا الشرقية
region-grulac = أمريكا اللاتينية ومنطقة البحر الكاريبي
region-weog = أوروبا الغربية ودول أخرى
region-global = المستوى العالمي

## المواضيع
theme-access = إمكانية الوصول
theme-content-regulation = تنظيم المحتوى
theme-cybersecurity = الأمن السيبراني
theme-data = البيانات
theme-digital-economy = الاقتصاد الرقمي
theme-emerging-technologies = التكنولوجيات الناشئة
theme-environment = البيئة
theme-human-rights = حقوق الإنسان
theme-inclusion = الإدماج
theme-trust = الثقة
theme-gender = المسائل الجنسانية
theme-local-content = المحتوى المحلي

## القوائم
latest-publications = أحدث المنشورات
sections = تصفّح الأرشيف
browse-by-group = حسب المجموعة
browse-by-year = حسب السنة
browse-by-theme = حسب الموضوع
browse-by-region = حسب المنطقة
group-page-title = أعمال { $group }
year-page-title = منشورات عام { $year }
theme-page-title = الموضوع: { $theme }
region-page-title = المنطقة: { $region }
taxonomy-group = المجموعات
taxonomy-year = السنوات
taxonomy-theme = المواضيع
taxonomy-region = المناطق
pages-count =
    { $count ->
        [zero] لا توجد منشورات
        [one] منشور واحد
        [two] منشوران
        [few] { $count } منشورات
        [many] { $count } منشورًا
       *[other] { $count } منشور
    }
no-pages = لم يُنشر أي شيء هنا بعدُ.
read-more = اقرأ المزيد

## ترقيم الصفحات
pagination-label = الصفحات
pagination-previous = السابقة
pagination-next = التالية
pagination-status = الصفحة { $current } من { $total }

## التواريخ: تُستمد الأجزاء الرقمية من عملية البناء؛ والترتيب هو الترتيب المعتاد في هذه اللغة
date-format = { $day } { $month } { $year }
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيه
month-7 = يوليه
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر

## الموجزات
feed-title = { $site }: أحدث المنشورات

## الصفحة غير موجودة
not-found-title = الصفحة غير موجودة
not-found-text = الصفحة التي طلبتها غير موجودة هنا. ربما نُقلت إلى مكان آخر، أو ربما يتضمن العنوان خطأً مطبعيًا.
not-found-home = الانتقال إلى الصفحة الرئيسية

## البحث
search-title = البحث
search-title-query = نتائج البحث عن «{ $query }»
search-header-label = البحث في الموقع
search-label = كلمات البحث
search-submit = بحث
search-hint = يشمل البحث العناوين والنصوص الكاملة. ضع الكلمات بين علامتي تنصيص للعثور على عبارة مطابقة تمامًا.
search-keyboard-hint = اختصارات لوحة المفاتيح: / للانتقال إلى خانة البحث، و↓ و↑ للتنقل بين النتائج، وEsc لمسح الخانة.
search-language = لغة النتائج
search-all-languages = جميع اللغات
search-results = النتائج
search-count =
    { $count ->
        [zero] لم يُعثر على نتائج للبحث عن «{ $query }»
        [one] نتيجة واحدة للبحث عن «{ $query }»
        [two] نتيجتان للبحث عن «{ $query }»
        [few] { $count } نتائج للبحث عن «{ $query }»
        [many] { $count } نتيجةً للبحث عن «{ $query }»
       *[other] { $count } نتيجة للبحث عن «{ $query }»
    }
search-no-results-hint = تحقّق من الإملاء، أو جرّب كلمات أقل عددًا أو أعمّ معنى، أو ابحث في جميع اللغات.
search-filters = تضييق نطاق النتائج
search-facet-kind = النوع
search-facet-group = المجموعة
search-facet-year = السنة
search-facet-theme = الموضوع
search-facet-region = المنطقة
search-facet-source = الناشر
search-facet-site = الموقع
search-filter-selected = (عامل التصفية مُفعَّل؛ اختره مرة أخرى لإزالته)
search-translations = متاح أيضًا باللغات:
search-unavailable = البحث غير متاح في هذه النسخة من الموقع. ولا يزال بإمكانك تصفّح الأرشيف حسب المجموعة أو السنة أو الموضوع أو المنطقة.

## الأعضاء: المجموعات التي يجمع الموقع محتواها
members-title = الأعضاء
member-kind-bpf = منتديات أفضل الممارسات
member-kind-dc = الائتلافات الدينامية
member-kind-nri = منتديات إدارة الإنترنت الوطنية والإقليمية والشبابية
member-kind = نوع المجموعة
member-website = الموقع الإلكتروني
member-contact = جهة الاتصال
member-licence = الترخيص
member-works = المنشورات
member-region-none = أخرى
footer-members = الأعضاء: من ينشر هنا

## لوحة الترجمات
dashboard-title = حالة الترجمات
dashboard-intro = ما تُرجم إلى كل لغة وما بقي إنجازه: الصفحات التي تغيّر نصها الأصلي بعد ترجمتها، والصفحات التي لم تُترجم بعد، ورسائل الواجهة.
dashboard-summary = ملخص حسب اللغة
dashboard-language = اللغة
dashboard-pages = الصفحات المترجمة
dashboard-stale = قديمة
dashboard-missing = غير مترجمة
dashboard-messages = رسائل الواجهة
dashboard-pages-to-do = صفحات تنتظر الترجمة أو التحديث
dashboard-original = الأصل
dashboard-state = الحالة
dashboard-file = الملف المطلوب تعديله
dashboard-state-stale = ترجمة قديمة
dashboard-state-missing = لم تُترجم بعد
dashboard-missing-messages = رسائل واجهة لم تُترجم بعد
dashboard-done = كل شيء مترجم ومحدَّث.
