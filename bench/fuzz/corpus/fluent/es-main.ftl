# Cadenas de la interfaz del tema predeterminado, en español (el idioma predeterminado es el inglés).
# Todos los demás idiomas, en i18n/<lang>/main.ftl, tienen las mismas claves.

## Elementos comunes de la página
skip-to-content = Ir al contenido principal
site-tagline = Resultados de la labor entre períodos de sesiones del Foro para la Gobernanza de Internet
main-navigation = Navegación principal
language-switcher-label = Idioma
breadcrumb-label = Usted está aquí
footer-about = El Foro para la Gobernanza de Internet (FGI) es una plataforma mundial de múltiples partes interesadas, convocada por el Secretario General de las Naciones Unidas, que facilita el debate sobre cuestiones de política pública relacionadas con Internet.
footer-feed = Canal Atom de las últimas publicaciones
footer-sitemap = Mapa del sitio
on-this-page = En esta página
back-to-top = Volver arriba

## Nombres de los idiomas, tal como se escriben en este idioma
language-en = inglés
language-fr = francés
language-es = español
language-ru = ruso
language-ar = árabe
language-zh = chino

## Página que se muestra en otro idioma porque aún no se ha traducido
fallback-notice = Esta página aún no está disponible en { $language }. Se muestra en { $original }.
fallback-notice-link = Ver la página original
stale-notice = El original de esta página se ha actualizado desde que se hizo esta traducción.
stale-notice-link = Ver el original actualizado ({ $original })
translations-available = También disponible en

## Metadatos de la página
published-on = Publicado el { $date }
updated-on = Actualizado el { $date }
published-by = Publicado por { $group }
authors = Autores
region = Región
country = País
themes = Temas
kind = Tipo
date = Fecha
year = Año
group = Grupo
attachments = Documentos
attachment-link = { $title } ({ $language }, { $format })

## Tipos de trabajo
kind-bpf-output = Documento final de un foro sobre mejores prácticas
kind-dc-paper = Documento de una coalición dinámica
kind-nri-report = Informe de una iniciativa nacional, regional o juvenil
kind-meeting-summary = Resumen de reunión
kind-page = Página

## Regiones
region-africa = África
region-asia-pacific = Asia y el Pacífico
region-eastern-europe = Europa Oriental
region-grulac = América Latina y el Caribe
region-weog = Europa Occidental y otros Estados
region-global = Mundial

## Temas
theme-access = Acceso
theme-content-regulation = Regulación de contenidos
theme-cybersecurity = Ciberseguridad
theme-data = Datos
theme-digital-economy = Economía digital
theme-emerging-technologies = Tecnologías emergentes
theme-environment = Medio ambiente
theme-human-rights = Derechos humanos
theme-inclusion = Inclusión
theme-trust = Confianza
theme-gender = Cuestiones de género
theme-local-content = Contenidos locales

## Listados
latest-publications = Últimas publicaciones
sections = Explorar el archivo
browse-by-group = Por grupo
browse-by-year = Por año
browse-by-theme = Por tema
browse-by-region = Por región
group-page-title = Trabajos: { $group }
year-page-title = Publicaciones de { $year }
theme-page-title = Tema: { $theme }
region-page-title = Región: { $region }
taxonomy-group = Grupos
taxonomy-year = Años
taxonomy-theme = Temas
taxonomy-region = Regiones
pages-count =
    { $count ->
        [one] { $count } publicación
        [many] { $count } de publicaciones
       *[other] { $count } publicaciones
    }
no-pages = Todavía no se ha publicado nada aquí.
read-more = Leer más

## Paginación
pagination-label = Páginas
pagination-previous = Anterior
pagination-next = Siguiente
pagination-status = Página { $current } de { $total }

## Fechas: las partes numéricas se generan en la compilación; el orden es el propio de este idioma
date-format = { $day } de { $month } de { $year }
month-1 = enero
month-2 = febrero
month-3 = marzo
month-4 = abril
month-5 = mayo
month-6 = junio
month-7 = julio
month-8 = agosto
month-9 = septiembre
month-10 = octubre
month-11 = noviembre
month-12 = diciembre

## Canales de sindicación
feed-title = { $site }: últimas publicaciones

## Página no encontrada
not-found-title = Página no encontrada
not-found-text = La página solicitada no existe en este sitio. Es posible que se haya trasladado o que la dirección contenga un error tipográfico.
not-found-home = Ir a la página de inicio

## Búsqueda
search-title = Búsqueda
search-title-query = Resultados de la búsqueda «{ $query }»
search-header-label = Buscar en el sitio
search-label = Términos de búsqueda
search-submit = Buscar
search-hint = Se buscan los títulos y el texto completo. Escriba palabras entre comillas para encontrar una frase exacta.
search-keyboard-hint = Con el teclado: / lleva al cuadro de búsqueda, ↓ y ↑ pasan de un resultado a otro y Esc borra el cuadro.
search-language = Idioma de los resultados
search-all-languages = Todos los idiomas
search-results = Resultados
search-count =
    { $count ->
        [0] No hay resultados para «{ $query }»
        [one] Un resultado para «{ $query }»
        [many] { $count } de resultados para «{ $query }»
       *[other] { $count } resultados para «{ $query }»
    }
search-no-results-hint = Compruebe la ortografía, pruebe con menos palabras o con términos más generales, o busque en todos los idiomas.
search-filters = Filtrar los resultados
search-facet-kind = Tipo
search-facet-group = Grupo
search-facet-year = Año
search-facet-theme = Tema
search-facet-region = Región
search-facet-source = Publicado por
search-facet-site = Sitio
search-filter-selected = (filtro activo: selecciónelo de nuevo para quitarlo)
search-translations = También en:
search-unavailable = La búsqueda no está disponible en esta copia del sitio. Puede consultar el archivo por grupo, año, tema o región.

## Miembros: los grupos cuyos árboles de contenido reúne el sitio
members-title = Miembros
member-kind-bpf = Foros de mejores prácticas
member-kind-dc = Coaliciones dinámicas
member-kind-nri = FGI nacionales, regionales y juveniles
member-kind = Tipo de grupo
member-website = Sitio web
member-contact = Contacto
member-licence = Licencia
member-works = Publicaciones
member-region-none = Otras
footer-members = Miembros: quién publica aquí

## Panel de traducciones
dashboard-title = Estado de las traducciones
dashboard-intro = Lo que está traducido en cada idioma y lo que queda por hacer: páginas cuyo original ha cambiado desde su traducción, páginas aún sin traducir y mensajes de la interfaz.
dashboard-summary = Resumen por idioma
dashboard-language = Idioma
dashboard-pages = Páginas traducidas
dashboard-stale = Desactualizadas
dashboard-missing = Sin traducir
dashboard-messages = Mensajes de la interfaz
dashboard-pages-to-do = Páginas por traducir o actualizar
dashboard-original = Original
dashboard-state = Estado
dashboard-file = Archivo que editar
dashboard-state-stale = Traducción desactualizada
dashboard-state-missing = Aún sin traducir
dashboard-missing-messages = Mensajes de la interfaz aún sin traducir
dashboard-done = Todo está traducido y al día.
