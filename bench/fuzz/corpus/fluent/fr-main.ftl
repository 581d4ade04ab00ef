# Chaînes d'interface du thème par défaut, en français (la langue par défaut est l'anglais).
# Toutes les autres langues, dans i18n/<lang>/main.ftl, comportent les mêmes clés.

## Habillage des pages
skip-to-content = Aller au contenu principal
site-tagline = Résultats des travaux intersessions du Forum sur la gouvernance de l'Internet
main-navigation = Navigation principale
language-switcher-label = Langue
breadcrumb-label = Vous êtes ici
footer-about = Le Forum sur la gouvernance de l'Internet (FGI) est une plateforme multipartite mondiale, convoquée par le Secrétaire général de l'Organisation des Nations Unies, qui facilite le débat sur les questions de politique publique relatives à l'Internet.
footer-feed = Flux Atom des dernières publications
footer-sitemap = Plan du site
on-this-page = Sur cette page
back-to-top = Retour en haut de page

## Noms des langues, tels qu'ils s'écrivent dans cette langue
language-en = anglais
language-fr = français
language-es = espagnol
language-ru = russe
language-ar = arabe
language-zh = chinois

## Page affichée dans une autre langue, faute de traduction disponible
fallback-notice = Cette page n'est pas encore disponible en { $language }. Elle est affichée en { $original }.
fallback-notice-link = Consulter la page originale
stale-notice = L'original de cette page a été modifié depuis que cette traduction a été faite.
stale-notice-link = Consulter l'original mis à jour ({ $original })
translations-available = Également disponible en

## Métadonnées des pages
published-on = Publié le { $date }
updated-on = Mis à jour le { $date }
published-by = Publié par { $group }
authors = Auteurs
region = Région
country = Pays
themes = Thèmes
kind = Type
date = Date
year = Année
group = Groupe
attachments = Documents
attachment-link = { $title } ({ $language }, { $format })

## Types de travaux
kind-bpf-output = Document final d'un forum sur les meilleures pratiques
kind-dc-paper = Document d'une coalition dynamique
kind-nri-report = Rapport d'une initiative nationale, régionale ou de jeunes
kind-meeting-summary = Résumé de réunion
kind-page = Page

## Régions
region-africa = Afrique
region-asia-pacific = Asie-Pacifique
region-eastern-europe = Europe orientale
region-grulac = Amérique latine et Caraïbes
region-weog = Europe occidentale et autres États
region-global = Monde

## Thèmes
theme-access = Accès
theme-content-regulation = Réglementation des contenus
theme-cybersecurity = Cybersécurité
theme-data = Données
theme-digital-economy = Économie numérique
theme-emerging-technologies = Technologies émergentes
theme-environment = Environnement
theme-human-rights = Droits de l'homme
theme-inclusion = Inclusion
theme-trust = Confiance
theme-gender = Questions de genre
theme-local-content = Contenus locaux

## Listes
latest-publications = Dernières publications
sections = Parcourir les archives
browse-by-group = Par groupe
browse-by-year = Par année
browse-by-theme = Par thème
browse-by-region = Par région
group-page-title = Travaux : { $group }
year-page-title = Publications de { $year }
theme-page-title = Thème : { $theme }
region-page-title = Région : { $region }
taxonomy-group = Groupes
taxonomy-year = Années
taxonomy-theme = Thèmes
taxonomy-region = Régions
pages-count =
    { $count ->
        [one] { $count } publication
        [many] { $count } de publications
       *[other] { $count } publications
    }
no-pages = Rien n'a encore été publié ici.
read-more = Lire la suite

## Pagination
pagination-label = Pages
pagination-previous = Page précédente
pagination-next = Page suivante
pagination-status = Page { $current } sur { $total }

## Dates : les parties numériques sont fournies lors de la génération ; l'ordre est celui de cette langue
date-format = { $day } { $month } { $year }
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Flux
feed-title = { $site } : dernières publications

## Page introuvable
not-found-title = Page introuvable
not-found-text = La page demandée n'existe pas sur ce site. Elle a peut-être été déplacée, ou l'adresse comporte une faute de frappe.
not-found-home = Aller à la page d'accueil

## Recherche
search-title = Recherche
search-title-query = Résultats de la recherche « { $query } »
search-header-label = Rechercher sur le site
search-label = Mots recherchés
search-submit = Rechercher
search-hint = La recherche porte sur les titres et le texte intégral. Mettez des mots entre guillemets pour trouver une expression exacte.
search-keyboard-hint = Au clavier : / place le curseur dans le champ de recherche, ↓ et ↑ passent d'un résultat à l'autre, Échap efface le champ.
search-language = Langue des résultats
search-all-languages = Toutes les langues
search-results = Résultats
search-count =
    { $count ->
        [0] Aucun résultat pour « { $query } »
        [one] Un résultat pour « { $query } »
        [many] { $count } de résultats pour « { $query } »
       *[other] { $count } résultats pour « { $query } »
    }
search-no-results-hint = Vérifiez l'orthographe, essayez des mots moins nombreux ou plus généraux, ou étendez la recherche à toutes les langues.
search-filters = Affiner les résultats
search-facet-kind = Type
search-facet-group = Groupe
search-facet-year = Année
search-facet-theme = Thème
search-facet-region = Région
search-facet-source = Publié par
search-facet-site = Site
search-filter-selected = (filtre actif : sélectionnez-le de nouveau pour le retirer)
search-translations = Également en :
search-unavailable = La recherche n'est pas disponible sur cette copie du site. Vous pouvez toutefois parcourir les archives par groupe, par année, par thème ou par région.

## Membres : les groupes dont le site réunit les arborescences de contenu
members-title = Membres
member-kind-bpf = Forums sur les meilleures pratiques
member-kind-dc = Coalitions dynamiques
member-kind-nri = FGI nationaux, régionaux et de jeunes
member-kind = Type de groupe
member-website = Site web
member-contact = Contact
member-licence = Licence
member-works = Publications
member-region-none = Autres
footer-members = Membres : qui publie ici

## Tableau de bord des traductions
dashboard-title = État des traductions
dashboard-intro = Ce qui est traduit dans chaque langue et ce qu'il reste à faire : pages dont l'original a changé depuis leur traduction, pages pas encore traduites et messages de l'interface.
dashboard-summary = Résumé par langue
dashboard-language = Langue
dashboard-pages = Pages traduites
dashboard-stale = Périmées
dashboard-missing = Non traduites
dashboard-messages = Messages de l'interface
dashboard-pages-to-do = Pages à traduire ou à mettre à jour
dashboard-original = Original
dashboard-state = État
dashboard-file = Fichier à modifier
dashboard-state-stale = Traduction périmée
dashboard-state-missing = Pas encore traduite
dashboard-missing-messages = Messages de l'interface pas encore traduits
dashboard-done = Tout est traduit et à jour.
