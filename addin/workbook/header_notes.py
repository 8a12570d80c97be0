"""Notes on the coloured and coded headers of the result sheets, and the legend of colours.

A salesperson who meets ``B-NT``, class ``D`` or "Can't Lose" finds what it means by hovering
over the header: each such header carries an Excel note (a legacy comment: the comments part
and the VML drawing Excel shows it with), in the workbook's language.  The texts follow SPEC
section 2 and the colours :mod:`addin.core.palette`.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from addin.core.labels import language_index
from addin.workbook.a1 import column_letter, split_ref
from addin.workbook.sheetxml import MAIN_NS

#: canonical column -> (en, fr, nl) note on its header.
NOTES: dict[str, tuple[str, str, str]] = {
    "customer_type": (
        "First match wins: internal (employee); disloyal (a complaint or low satisfaction, no "
        "order since); prospect (no order); lost (no order for over a year); loyal (3+ orders "
        "over 6+ months); occasional (2 orders); one-time (1 order). "
        "Green = loyal, amber = disloyal, red = lost.",
        "Le premier qui s'applique : interne (salarié) ; déloyal (réclamation ou insatisfaction, "
        "sans commande depuis) ; prospect (aucune commande) ; perdu (plus d'un an sans "
        "commande) ; fidèle (3 commandes ou plus sur 6 mois ou plus) ; occasionnel "
        "(2 commandes) ; unique (1 commande). Vert = fidèle, orange = déloyal, rouge = perdu.",
        "De eerste die past: intern (medewerker); ontrouw (klacht of ontevreden, sindsdien geen "
        "bestelling); prospect (geen bestelling); verloren (meer dan een jaar geen "
        "bestelling); trouw (3+ bestellingen over 6+ maanden); occasioneel (2 bestellingen); "
        "eenmalig (1 bestelling). Groen = trouw, oranje = ontrouw, rood = verloren."),
    "prospect_score": (
        "0-100 for prospects: BANT up to 60 points (15 per letter) + engagement up to 40 "
        "(pages visited, form sent, fading with time since the last contact).",
        "0 à 100 pour les prospects : BANT jusqu'à 60 points (15 par lettre) + engagement "
        "jusqu'à 40 (pages vues, formulaire envoyé, qui s'estompe depuis le dernier contact).",
        "0-100 voor prospects: BANT tot 60 punten (15 per letter) + betrokkenheid tot 40 "
        "(bezochte pagina's, formulier verstuurd, neemt af sinds het laatste contact)."),
    "temperature": (
        "From the prospect score: hot 70 or more (blue: call now), warm 40-69 (amber), "
        "cold below 40 (grey).",
        "D'après le score prospect : chaud 70 ou plus (bleu : à appeler), tiède 40 à 69 "
        "(orange), froid sous 40 (gris).",
        "Volgens de prospectscore: warm 70 of meer (blauw: nu bellen), lauw 40-69 (oranje), "
        "koud onder 40 (grijs)."),
    "bant": (
        "The qualification criteria met, a dash for each one missing: B = budget at least the "
        "minimum, A = authority (decision maker), N = need stated, T = timing (buys within 90 "
        "days). Example: B-NT = all but authority.",
        "Les critères de qualification remplis, un tiret pour chaque manquant : B = budget au "
        "moins égal au minimum, A = autorité (décideur), N = besoin exprimé, T = timing (achat "
        "sous 90 jours). Exemple : B-NT = tout sauf le décideur.",
        "De kwalificatiecriteria die gehaald zijn, een streepje voor elk ontbrekend: B = budget "
        "minstens het minimum, A = autoriteit (beslisser), N = behoefte, T = timing (koopt "
        "binnen 90 dagen). Voorbeeld: B-NT = alles behalve de beslisser."),
    "abc_class": (
        "Customers by contribution, best first: A = the first 80 % of the total (green), B = up "
        "to 95 % (amber), C = the rest (grey), D = no order yet. Blank: cost unknown.",
        "Clients par contribution, les meilleurs d'abord : A = les premiers 80 % du total "
        "(vert), B = jusqu'à 95 % (orange), C = le reste (gris), D = aucune commande. Vide : "
        "coût inconnu.",
        "Klanten naar bijdrage, de beste eerst: A = de eerste 80 % van het totaal (groen), "
        "B = tot 95 % (oranje), C = de rest (grijs), D = nog geen bestelling. Leeg: kosten "
        "onbekend."),
    "profitability": (
        "Three signs, against this workbook's median customer: margin rate at least the "
        "median, average order at least the median, discount at most 5 %. High = all three "
        "(green), medium = two, low = one or none (red).",
        "Trois signes, par rapport au client médian de ce classeur : taux de marque au moins "
        "égal à la médiane, panier moyen au moins égal à la médiane, remise d'au plus 5 %. "
        "Élevée = les trois (vert), moyenne = deux, faible = un ou aucun (rouge).",
        "Drie tekens, vergeleken met de mediane klant van deze werkmap: margepercentage minstens "
        "de mediaan, gemiddelde bestelling minstens de mediaan, korting hoogstens 5 %. Hoog = "
        "alle drie (groen), gemiddeld = twee, laag = een of geen (rood)."),
    "rfm_segment": (
        "From the R score (recency) and the FM score (frequency and money), 5 = best: "
        "Champions (green) buy often, recently and much; At Risk (amber) were good but have "
        "not bought for a while; Can't Lose (red) were the best and are slipping away; "
        "Lost = low on all. Prospects have no orders.",
        "D'après le score R (récence) et le score FM (fréquence et montant), 5 = le mieux : "
        "Champions (vert) achètent souvent, récemment et beaucoup ; À risque (orange) étaient "
        "bons mais n'achètent plus depuis un moment ; À ne pas perdre (rouge) étaient les "
        "meilleurs et s'éloignent ; Perdus = bas partout. Les prospects n'ont pas commandé.",
        "Volgens de R-score (recentheid) en de FM-score (frequentie en bedrag), 5 = best: "
        "Kampioenen (groen) kopen vaak, recent en veel; Risico (oranje) waren goed maar kopen "
        "al even niet; Niet verliezen (rood) waren de besten en haken af; Verloren = overal "
        "laag. Prospects hebben niet besteld."),
    "r_score": (
        "Recency in fifths of the customers who ordered: 5 = ordered most recently.",
        "Récence en cinquièmes des clients qui ont commandé : 5 = commande la plus récente.",
        "Recentheid in vijfden van de klanten die bestelden: 5 = meest recent besteld."),
    "f_score": (
        "Frequency in fifths of the customers who ordered: 5 = orders most often.",
        "Fréquence en cinquièmes des clients qui ont commandé : 5 = commande le plus souvent.",
        "Frequentie in vijfden van de klanten die bestelden: 5 = bestelt het vaakst."),
    "m_score": (
        "Money in fifths of the customers who ordered: 5 = spends most per order.",
        "Montant en cinquièmes des clients qui ont commandé : 5 = dépense le plus par commande.",
        "Bedrag in vijfden van de klanten die bestelden: 5 = geeft het meest uit per "
        "bestelling."),
    "contribution": (
        "Gross margin minus the cost of serving the orders; the bar shows it against the "
        "other customers.",
        "Marge brute moins le coût de service des commandes ; la barre la situe parmi les "
        "autres clients.",
        "Brutomarge min de kosten om de bestellingen te bedienen; de balk zet die af tegen "
        "de andere klanten."),
}

#: The colour legend on the Dashboard: meaning -> (en, fr, nl) what it says.
LEGEND: dict[str, tuple[str, str, str]] = {
    "opportunity": ("Opportunity: hot prospects, call now",
                    "Opportunité : prospects chauds, à appeler",
                    "Kans: warme prospects, nu bellen"),
    "good": ("Good: loyal, Champions, class A, high profitability",
             "Bon : fidèles, Champions, classe A, rentabilité élevée",
             "Goed: trouw, Kampioenen, klasse A, hoge winstgevendheid"),
    "watch": ("Watch: warm prospects, disloyal, At Risk, class B",
              "À surveiller : prospects tièdes, déloyaux, À risque, classe B",
              "Opletten: lauwe prospects, ontrouw, Risico, klasse B"),
    "act": ("Act: lost, Can't Lose, low profitability",
            "Agir : perdus, À ne pas perdre, rentabilité faible",
            "Handelen: verloren, Niet verliezen, lage winstgevendheid"),
    "neutral": ("Neutral: cold prospects, class C and D",
                "Neutre : prospects froids, classes C et D",
                "Neutraal: koude prospects, klasse C en D"),
}

#: A note's box: 4 columns wide, 8 rows high, from the column right of its header.
_BOX = (4, 8)


def header_notes(columns: Sequence[str], language: str, row: int = 1,
                 ) -> list[tuple[str, str]]:
    """(cell, text) of the notes on the headers among ``columns`` (in sheet order)."""
    i = language_index(language)
    return [(f"{column_letter(at)}{row}", NOTES[column][i])
            for at, column in enumerate(columns) if column in NOTES]


def comments_part(notes: Sequence[tuple[str, str]]) -> bytes:
    """The comments part of a sheet: one note per (cell, text), author potentiel."""
    items = "".join(f'<comment ref="{ref}" authorId="0"><text><r><t xml:space="preserve">'
                    f"{escape(text)}</t></r></text></comment>" for ref, text in notes)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<comments xmlns="{MAIN_NS}"><authors><author>potentiel</author></authors>'
            f"<commentList>{items}</commentList></comments>").encode()


def notes_drawing(notes: Sequence[tuple[str, str]], drawing_id: int) -> bytes:
    """The legacy VML drawing Excel needs to show the notes (hidden until hovered); shape ids
    are ``1024 * drawing_id + n``, unique in the workbook as Excel wants them."""
    shapes = []
    for n, (ref, _) in enumerate(notes, start=1):
        column, row = split_ref(ref)
        row -= 1
        width, height = _BOX
        anchor = f"{column + 1}, 15, {row}, 2, {column + 1 + width}, 15, {row + height}, 16"
        shapes.append(
            f'<v:shape id="_x0000_s{1024 * drawing_id + n}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:80pt;margin-top:2pt;width:240pt;'
            'height:110pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{row}</x:Row><x:Column>{column}</x:Column></x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{drawing_id}"/>'
            "</o:shapelayout>"
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes) + "</xml>").encode("utf-8")
