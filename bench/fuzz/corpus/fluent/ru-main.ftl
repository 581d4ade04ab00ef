# Строки интерфейса темы по умолчанию, русский язык (язык по умолчанию — английский).
# Все остальные языки в i18n/<lang>/main.ftl содержат те же ключи.

## Элементы оформления страницы
skip-to-content = Перейти к основному содержанию
site-tagline = Итоги межсессионной работы Форума по вопросам управления Интернетом
main-navigation = Основная навигация
language-switcher-label = Язык
breadcrumb-label = Вы находитесь здесь
footer-about = Форум по вопросам управления Интернетом (ФУИ) — это глобальная платформа с участием многих заинтересованных сторон, которая созывается Генеральным секретарем Организации Объединенных Наций и содействует обсуждению вопросов государственной политики, касающихся Интернета.
footer-feed = Лента Atom с последними публикациями
footer-sitemap = Карта сайта
on-this-page = На этой странице
back-to-top = Наверх

## Названия языков на данном языке
language-en = английский
language-fr = французский
language-es = испанский
language-ru = русский
language-ar = арабский
language-zh = китайский

## Страница, показанная на другом языке, поскольку ее перевод пока отсутствует
fallback-notice = Эта страница пока не переведена на { $language } язык. Она показана на языке оригинала: { $original }.
fallback-notice-link = Открыть оригинал страницы
stale-notice = Оригинал этой страницы был обновлен после того, как был сделан этот перевод.
stale-notice-link = Открыть обновленный оригинал ({ $original })
translations-available = Другие языковые версии

## Метаданные страницы
published-on = Опубликовано { $date }
updated-on = Обновлено { $date }
published-by = Опубликовано: { $group }
authors = Авторы
region = Регион
country = Страна
themes = Темы
kind = Тип
date = Дата
year = Год
group = Группа
attachments = Документы
attachment-link = { $title } ({ $language }, { $format })

## Виды материалов
kind-bpf-output = Итоговый документ форума по передовой практике
kind-dc-paper = Документ динамической коалиции
kind-nri-report = Доклад национальной, региональной или молодежной инициативы
kind-meeting-summary = Краткий отчет о совещании
kind-page = Страница

## Регионы
region-africa = Африка
region-asia-pacific = Азиатско-Тихоокеанский регион
region-eastern-europe = Восточная Европа
region-grulac = Латинская Америка и Карибский бассейн
region-weog = Западная Европа и другие государства
region-global = Весь мир

## Темы
theme-access = Доступ
theme-content-regulation = Регулирование контента
theme-cybersecurity = Кибербезопасность
theme-data = Данные
theme-digital-economy = Цифровая экономика
theme-emerging-technologies = Новые технологии
theme-environment = Окружающая среда
theme-human-rights = Права человека
theme-inclusion = Инклюзивность
theme-trust = Доверие
theme-gender = Гендерная проблематика
theme-local-content = Местный контент

## Списки
latest-publications = Последние публикации
sections = Просмотр архива
browse-by-group = По группам
browse-by-year = По годам
browse-by-theme = По темам
browse-by-region = По регионам
group-page-title = Работа группы «{ $group }»
year-page-title = Публикации { $year } года
theme-page-title = Тема: { $theme }
region-page-title = Регион: { $region }
taxonomy-group = Группы
taxonomy-year = Годы
taxonomy-theme = Темы
taxonomy-region = Регионы
pages-count =
    { $count ->
        [one] { $count } публикация
        [few] { $count } публикации
        [many] { $count } публикаций
       *[other] { $count } публикации
    }
no-pages = Здесь пока ничего не опубликовано.
read-more = Подробнее

## Постраничная навигация
pagination-label = Страницы
pagination-previous = Предыдущая
pagination-next = Следующая
pagination-status = Страница { $current } из { $total }

## Даты: числовые значения подставляются при сборке; порядок соответствует нормам данного языка
date-format = { $day } { $month } { $year } г.
month-1 = января
month-2 = февраля
month-3 = марта
month-4 = апреля
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = августа
month-9 = сентября
month-10 = октября
month-11 = ноября
month-12 = декабря

## Ленты
feed-title = { $site }: последние публикации

## Страница не найдена
not-found-title = Страница не найдена
not-found-text = Запрошенной страницы здесь нет. Возможно, она была перемещена или в адресе допущена опечатка.
not-found-home = Перейти на главную страницу

## Поиск
search-title = Поиск
search-title-query = Результаты поиска по запросу «{ $query }»
search-header-label = Поиск по сайту
search-label = Что искать
search-submit = Найти
search-hint = Поиск ведется по заголовкам и полному тексту. Чтобы найти точную фразу, заключите слова в кавычки.
search-keyboard-hint = Клавиатура: / — перейти к полю поиска, ↓ и ↑ — перемещение между результатами, Esc — очистить поле.
search-language = Язык результатов
search-all-languages = Все языки
search-results = Результаты
search-count =
    { $count ->
        [0] По запросу «{ $query }» ничего не найдено
        [one] { $count } результат по запросу «{ $query }»
        [few] { $count } результата по запросу «{ $query }»
        [many] { $count } результатов по запросу «{ $query }»
       *[other] { $count } результата по запросу «{ $query }»
    }
search-no-results-hint = Проверьте написание, попробуйте задать меньше слов или более общие слова либо выполните поиск на всех языках.
search-filters = Уточнить результаты
search-facet-kind = Тип
search-facet-group = Группа
search-facet-year = Год
search-facet-theme = Тема
search-facet-region = Регион
search-facet-source = Опубликовано
search-facet-site = Сайт
search-filter-selected = (фильтр выбран; выберите его еще раз, чтобы отменить)
search-translations = Другие языки:
search-unavailable = Поиск недоступен в этой копии сайта. Архив можно просматривать по группам, годам, темам и регионам.

## Участники: группы, чьи деревья материалов объединяет сайт
members-title = Участники
member-kind-bpf = Форумы по передовой практике
member-kind-dc = Динамические коалиции
member-kind-nri = Национальные, региональные и молодежные ФУИ
member-kind = Тип группы
member-website = Веб-сайт
member-contact = Контакты
member-licence = Лицензия
member-works = Публикации
member-region-none = Другие
footer-members = Участники: кто здесь публикуется

## Панель переводов
dashboard-title = Состояние переводов
dashboard-intro = Что переведено на каждый язык и что осталось сделать: страницы, оригинал которых изменился после перевода, ещё не переведённые страницы и сообщения интерфейса.
dashboard-summary = Сводка по языкам
dashboard-language = Язык
dashboard-pages = Переведено страниц
dashboard-stale = Устарело
dashboard-missing = Не переведено
dashboard-messages = Сообщения интерфейса
dashboard-pages-to-do = Страницы для перевода или обновления
dashboard-original = Оригинал
dashboard-state = Состояние
dashboard-file = Файл для правки
dashboard-state-stale = Перевод устарел
dashboard-state-missing = Ещё не переведена
dashboard-missing-messages = Ещё не переведённые сообщения интерфейса
dashboard-done = Всё переведено, переводы актуальны.
