"""What a new chain starts with: the choices of FIX Genk, each editable per chain."""

from django.utils.translation import gettext_noop as N_

# Life domains (levensdomeinen) of FIX; codes are stable, labels are shown in the UI.
LIFE_DOMAINS = [
    {"code": "vrije_tijd", "label": "Vrije tijd"},
    {"code": "gezinscontext", "label": "Gezinscontext"},
    {"code": "werk_onderwijs", "label": "Werk/onderwijs"},
    {"code": "huisvesting", "label": "Huisvesting"},
    {"code": "financien", "label": "Financiën"},
    {"code": "middelengebruik", "label": "Middelengebruik"},
    {"code": "gezondheid", "label": "(Mentale) gezondheid"},
]

# Good Lives Model primary needs used by FIX.
GLM_NEEDS = [
    {"code": "relaties", "label": "Relaties"},
    {"code": "meesterschap", "label": "Meesterschap"},
    {"code": "innerlijke_vrede", "label": "Innerlijke vrede"},
    {"code": "autonomie", "label": "Autonomie"},
]

OFFENCE_TYPES = [
    {"code": "diefstal", "label": "Diefstal"},
    {"code": "geweld", "label": "Geweld / slagen en verwondingen"},
    {"code": "drugs", "label": "Drugsfeiten"},
    {"code": "vandalisme", "label": "Vandalisme"},
    {"code": "overlast", "label": "Ernstige overlast"},
    {"code": "afpersing", "label": "Afpersing"},
    {"code": "bedreiging", "label": "Bedreiging"},
    {"code": "verkeer", "label": "Verkeersfeiten"},
    {"code": "andere", "label": "Andere"},
]

# Workflow steps that carry playbook (draaiboek) text, in the order a case meets them.
PLAYBOOK_STEPS = [
    ("consult", N_("Consult")),
    ("registration", N_("Registration")),
    ("intake", N_("Intake and consent")),
    ("ot", N_("Operational team")),
    ("start", N_("Start of the trajectory")),
    ("plan", N_("Network meeting and plan")),
    ("followup", N_("Follow-up")),
    ("closure", N_("Evaluation and closure")),
]

PLAYBOOK_FIX = {
    "consult": "Een doorverwijzer (of ouder/jongere) vraagt of de casus past. Toets de criteria: leeftijd "
    "12-25, woonachtig in Genk of sterke band met Genk, feiten gepleegd, complexe meervoudige problematiek. "
    "Past het niet? Geef advies over wie wel kan helpen.",
    "registration": "Iedere stakeholder kan aanmelden. De jongere (en bij minderjarigen de ouders) moet op "
    "de hoogte zijn van de aanmelding. Noteer minstens één feit of zorg en de meervoudige problematiek.",
    "intake": "Plan het intakegesprek met de jongere en het gezin. Overloop de levensdomeinen, de krachten "
    "en de GLM-behoeften. Laat de toestemmingen tekenen; de jongere mag bedenktijd nemen.",
    "ot": "Het operationeel team weegt maandelijks de nieuwe aanmeldingen. Motiveer de subsidiariteit: "
    "waarom kan geen reguliere structuur deze casus opnemen?",
    "start": "Informeer aanmelder en jongere over de beslissing, wijs de casusregisseur toe en noteer de "
    "vertrouwenspersoon. Het traject start met het eerste gesprek.",
    "plan": "Zonder jongere, geen FIX-overleg. Breng het netwerk samen en maak het plan van aanpak per "
    "levensdomein, vertrekkend vanuit de krachten.",
    "followup": "Volg minstens wekelijks op, aanklampend. Verlies de jongere niet uit het oog.",
    "closure": "Evalueer met jongere en netwerk. Een stopzetting gaat eerst langs het operationeel team.",
}
