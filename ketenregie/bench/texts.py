"""Dutch text fragments for synthetic data: believable, invented, never about a real person.

The generator combines fragments into a few hundred distinct texts per kind (notes, concerns,
minutes, ...). Each distinct text is encrypted once and its ciphertext reused (see synthetic.py).
"""

from __future__ import annotations

# Flemish municipalities with (some of) their postal codes: the region of a synthetic chain.
MUNICIPALITIES: list[tuple[str, list[str]]] = [
    ("Antwerpen", ["2000", "2018", "2020", "2030", "2040", "2050", "2060", "2100", "2140", "2170", "2180", "2600"]),
    ("Gent", ["9000", "9030", "9031", "9032", "9040", "9041", "9042", "9050", "9051", "9052"]),
    ("Brugge", ["8000", "8200", "8310", "8380"]),
    ("Leuven", ["3000", "3001", "3010", "3012", "3018"]),
    ("Mechelen", ["2800", "2801", "2811", "2812"]),
    ("Kortrijk", ["8500", "8501", "8510", "8511"]),
    ("Hasselt", ["3500", "3501", "3510", "3511", "3512"]),
    ("Genk", ["3600"]),
    ("Aalst", ["9300", "9308", "9310", "9320"]),
    ("Sint-Niklaas", ["9100", "9111", "9112"]),
    ("Oostende", ["8400"]),
    ("Roeselare", ["8800"]),
    ("Turnhout", ["2300"]),
    ("Beringen", ["3580", "3581", "3582", "3583"]),
    ("Dendermonde", ["9200"]),
    ("Vilvoorde", ["1800"]),
    ("Lier", ["2500"]),
    ("Geel", ["2440"]),
    ("Tienen", ["3300"]),
    ("Ninove", ["9400"]),
    ("Herentals", ["2200"]),
    ("Maasmechelen", ["3630"]),
    ("Tongeren", ["3700"]),
    ("Ronse", ["9600"]),
    ("Mol", ["2400"]),
]

# Places just outside a region, for youths with a strong link instead of a residence.
OUTSIDE_POSTAL_CODES = ["3520", "3530", "3550", "3590", "3620", "2900", "2930", "9070", "8020", "3060"]

STRONG_LINKS = [
    "Gaat in de stad naar school en brengt er al zijn vrije tijd door.",
    "Woont bij de grootouders buiten de regio, maar de moeder woont in de stad.",
    "Verblijft door de week in een voorziening in de stad.",
    "Heeft de feiten in de stad gepleegd en traint er bij de voetbalclub.",
    "Volgt een duaal traject bij een werkgever in de stad.",
]

MULTI_PROBLEM_PARTS = [
    "Spijbelt al maanden",
    "conflicten thuis met vader",
    "hangt rond met oudere jongeren",
    "schulden bij vrienden",
    "gebruikt dagelijks cannabis",
    "weinig steunfiguren in het netwerk",
    "moeder overbelast door ploegenwerk",
    "broer in een gemeenschapsinstelling",
    "dreigt uit te vallen op school",
    "psychische kwetsbaarheid, wachtlijst jeugdhulp",
    "gezin met financiële zorgen",
    "geen zinvolle vrijetijdsbesteding",
    "woonsituatie onzeker na echtscheiding",
    "agressie op school en op straat",
    "onder druk van een oudere groep",
    "weinig structuur in de dag",
]

CONCERNS = [
    "De school maakt zich zorgen over de afwezigheden.",
    "Ouders weten niet meer hoe ze de jongere kunnen bereiken.",
    "De wijkinspecteur ziet de jongere vaak 's nachts op straat.",
    "Er zijn signalen van drugsdealen in de vriendengroep.",
    "De jongere slaapt afwisselend bij vrienden en thuis.",
    "",
]

OFFENCE_DESCRIPTIONS = [
    "Feit gemeld door de politie.",
    "Winkeldiefstal samen met twee vrienden.",
    "Vechtpartij aan het station na een ruzie.",
    "Bezit van cannabis voor eigen gebruik en doorverkoop.",
    "Beschadiging van bushokjes in de wijk.",
    "Bedreigingen via sociale media aan een klasgenoot.",
    "Fietsdiefstal aan de school.",
    "Afpersing van jongere leerlingen.",
    "Rijden zonder rijbewijs met een bromfiets.",
    "",
]

INTAKE_SITUATIONS = {
    "vrije_tijd": ["Weinig structuur in de vrije tijd.", "Speelt veel games tot laat in de nacht.", ""],
    "gezinscontext": ["Veel conflicten met vader.", "Moeder staat er alleen voor.", "Gezin is net verhuisd."],
    "werk_onderwijs": ["Spijbelt, wil wel een opleiding doen.", "Zit in het derde jaar BSO.", "Zoekt werk."],
    "huisvesting": ["Woont bij moeder in een sociale woning.", "Slaapt soms bij vrienden.", ""],
    "financien": ["Heeft schulden bij vrienden.", "Geen eigen inkomen.", ""],
    "middelengebruik": ["Gebruikt in het weekend cannabis.", "Drinkt veel op feestjes.", ""],
    "gezondheid": ["Slaapt slecht, piekert veel.", "Op een wachtlijst voor het CGG.", ""],
}

STRENGTHS = [
    "Voetbalt graag, de trainer is een steunfiguur.",
    "Grootmoeder is erg betrokken.",
    "Is handig en wil graag met de handen werken.",
    "Heeft een goede band met een leerkracht.",
    "Zorgt goed voor de jongere broer en zus.",
    "Kan goed tekenen en maakt muziek.",
    "Is eerlijk over wat er misliep.",
    "Wil zelf iets veranderen.",
]

RISKS = [
    "De vriendengroep was betrokken bij de feiten.",
    "Dreigt uit te vallen op school.",
    "Veel tijd op straat zonder doel.",
    "Conflicten thuis escaleren snel.",
    "Schulden lopen op.",
    "Gebruik neemt toe bij stress.",
    "",
]

YOUTH_WORDS = [
    "Ik wil mijn diploma halen en weer gaan voetballen.",
    "Ik wil rust thuis en een job.",
    "Ik wil dat mijn moeder weer trots op me is.",
    "Ik wil van de straat weg en een opleiding doen.",
    "Ik wil mijn schulden afbetalen.",
    "Ik wil een eigen plek om te wonen.",
]

GOALS = {
    "vrije_tijd": ["Ik wil terug elke week voetballen.", "Ik wil een hobby zonder mijn oude vrienden."],
    "gezinscontext": ["Ik wil minder ruzie met mijn vader.", "Ik wil thuis afspraken maken die we houden."],
    "werk_onderwijs": ["Ik wil mijn diploma halen.", "Ik wil een stageplaats vinden.", "Ik wil elke dag naar school."],
    "huisvesting": ["Ik wil een eigen studio.", "Ik wil een vaste slaapplek."],
    "financien": ["Ik wil mijn schulden afbetalen.", "Ik wil leren met geld omgaan."],
    "middelengebruik": ["Ik wil minder blowen.", "Ik wil stoppen met drinken in het weekend."],
    "gezondheid": ["Ik wil beter slapen.", "Ik wil met iemand praten over wat me bezighoudt."],
}

INTENDED_RESULTS = [
    "Twee trainingen per week en de wedstrijd op zaterdag.",
    "Elke dag op school, minder dan twee afwezigheden per maand.",
    "Een afbetalingsplan dat haalbaar is.",
    "Een gesprek per week zonder ruzie.",
    "Een ondertekend stagecontract.",
    "",
]

ACTIONS = [
    "Inschrijven bij de voetbalclub en de eerste training bijwonen.",
    "Gesprek met het CLB over een andere richting.",
    "Afspraak bij het OCMW voor budgetbegeleiding.",
    "Wekelijks gesprek met de vertrouwenspersoon.",
    "Aanmelden bij het CGG voor begeleiding.",
    "Samen met moeder een weekplanning maken.",
    "Contact opnemen met de VDAB voor een traject.",
    "Bezoek aan een woonbegeleider van het CAW.",
    "Sollicitatiebrief schrijven met de jeugdwerker.",
    "Afspraken over thuiskomen vastleggen in een contract.",
]

ACTION_NOTES = ["", "", "Loopt goed.", "Eerste afspraak gemist, nieuwe datum gepland.", "Wacht op antwoord."]

CONTACT_NOTES = [
    "Gesprek over school, gaat beter.",
    "Telefoon niet opgenomen, berichtje gestuurd.",
    "Huisbezoek: thuis blijft het gespannen.",
    "Samen naar de voetbalclub geweest.",
    "Vertrouwenspersoon ziet hem elke week op training.",
    "Had een moeilijke week, ruzie met vader.",
    "Heeft een stageplaats gevonden.",
    "Is weer naar school gegaan na twee weken afwezigheid.",
    "Praat open over het gebruik, wil minderen.",
    "Moeder belt: zoon komt 's nachts laat thuis.",
    "Afspraak verzet op vraag van de jongere.",
    "Korte check-in via bericht, alles oké.",
    "Samen de planning van de week overlopen.",
    "Gesprek met de leerkracht over de afwezigheden.",
    "Niet thuis bij het huisbezoek, briefje achtergelaten.",
    "Positief: heeft zelf een afspraak gemaakt bij het OCMW.",
]

CONTACT_NOTE_ADDITIONS = [
    "",
    " Volgende week opnieuw.",
    " Afspraak in het plan aangepast.",
    " Vertrouwenspersoon op de hoogte gebracht.",
    " Meer tijd nodig.",
    " Blijft moeilijk.",
]

MEETING_AGENDAS = [
    "Kennismaking, krachten per levensdomein, afspraken.",
    "Evaluatie van de afspraken en bijsturen van het plan.",
    "Stand van zaken school en thuis, nieuwe doelen.",
    "Afronding: wat is bereikt, wat blijft nodig?",
]

MEETING_MINUTES = [
    "Iedereen was aanwezig. De jongere vertelde zelf hoe het gaat. Afspraken overlopen en bijgestuurd.",
    "Moeder en vertrouwenspersoon aanwezig; school liet zich verontschuldigen. Plan aangevuld.",
    "Goede sfeer. De jongere is trots op de stage. Volgende evaluatie over drie maanden.",
    "Moeilijk overleg: afspraken rond thuiskomen niet gehaald. Nieuwe, kleinere afspraken gemaakt.",
]

SHARED_INFO = [
    "School deelde de afwezigheden; CAW de stand van de woonzoektocht.",
    "Enkel informatie over de afspraken in het plan werd gedeeld.",
    "Politie gaf geen nieuwe feiten door; CLB deelde het studieadvies.",
]

COOPERATION = [
    "Vlotte samenwerking tussen de partners.",
    "School moeilijk bereikbaar; afspraak om rechtstreeks te mailen.",
    "Partners vullen elkaar goed aan.",
    "",
]

EVALUATION_NOTES = ["", "", "Haalbaar, blijft lopen.", "Te ambitieus, aangepast.", "Niet gelukt door ziekte."]

PROGRESS_NOTES = ["", "", "Kleine stappen vooruit.", "Terugval na de vakantie.", "Duidelijk beter."]

GUIDELINES = [
    "Snel een eerste gesprek met jongere en vertrouwenspersoon; school betrekken.",
    "Eerst inzetten op rust thuis, daarna op school.",
    "Budgetbegeleiding opstarten en de vriendengroep in beeld brengen.",
    "Samen met de jeugdconsulent werken aan de voorwaarden.",
]

SUBSIDIARITY = [
    "Geen lopende begeleiding kan de verschillende levensdomeinen samen opnemen.",
    "De reguliere hulp loopt vast; er is regie over de partners heen nodig.",
    "Wachtlijsten in de jeugdhulp: de keten overbrugt en verbindt.",
]

ADVICE_NOT_INCLUDED = [
    "Een traject via de VDAB-jeugdwerking en het OCMW lijkt beter te passen.",
    "Het CLB kan dit opnemen; geen meervoudige problematiek.",
    "Doorverwijzing naar het CAW voor gezinsbegeleiding.",
    "De jeugdhulp is al intensief betrokken; opnieuw bekijken indien nieuwe feiten.",
]

WITHDRAWAL_REASONS = [
    "De jongere wil na het infogesprek niet deelnemen.",
    "De jongere trekt de toestemming in.",
    "Het gezin verhuist naar het buitenland.",
    "De jongere wil eerst zelf proberen met de hulp van school.",
]

OVERRIDE_REASONS = [
    "Net buiten de leeftijdsgrens, maar een broer loopt al mee in de keten: samen opvolgen.",
    "Woont net buiten de regio; alle hulpverlening en de feiten situeren zich in de stad.",
]

CLOSURE_SUMMARIES = {
    "werk_onderwijs": ["Volgt een duaal traject en gaat elke dag.", "Heeft het diploma behaald.", "Werkt als interim."],
    "vrije_tijd": ["Speelt opnieuw voetbal bij de club.", "Gaat naar het jeugdhuis."],
    "gezinscontext": ["Thuis is er meer rust.", "Woont nu bij de grootmoeder, dat loopt goed."],
    "general": ["Geen nieuwe feiten in het laatste halfjaar.", "De doelen zijn grotendeels bereikt."],
}

NETWORK_NOTES = ["", "", "Wil graag mee naar het overleg.", "Moeilijk bereikbaar, eerst via moeder.", ""]

EVENT_DESCRIPTIONS = {
    "new_offence": ["Betrokken bij een vechtpartij.", "Opnieuw opgepakt voor winkeldiefstal."],
    "arrest": ["Een nacht in de cel na een inbraak."],
    "court_decision": ["De jeugdrechter legt voorwaarden op."],
    "crisis": ["Uit huis gezet na een zware ruzie."],
    "move": ["Verhuisd naar de grootmoeder."],
    "school_dropout": ["Uitgeschreven op school."],
    "other": ["Overlijden van een grootouder."],
}

CONSULT_SUMMARIES = [
    "Leerling komt bijna niet meer naar school; politie kwam al langs voor incidenten.",
    "Jongere betrokken bij groepsfeit, gezinssituatie nog onduidelijk.",
    "Moeder vraagt hulp: zoon pleegde diefstallen en blowt dagelijks.",
    "Jeugdconsulent zoekt regie voor een jongere met voorwaarden van de jeugdrechter.",
]

CONSULT_ADVICE = [
    "Contact opnemen met het CLB en de buurtwerking.",
    "Eerst het CAW inschakelen voor gezinsbegeleiding.",
    "Nog geen feiten: preventieve werking van de stad.",
]

GROUP_DYNAMICS = [
    "Oudere jongere neemt het voortouw; de anderen volgen om erbij te horen.",
    "Losse groep die elkaar opjut via sociale media.",
]

CADENCE_REASONS = [
    "Loopt stabiel; op vraag van de jongere om de twee weken.",
    "Intensieve fase: twee contacten per week.",
]

INFORMAL_ROLES = [
    ("Moeder", "gezinscontext", True),
    ("Vader", "gezinscontext", False),
    ("Grootmoeder", "gezinscontext", True),
    ("Oom", "gezinscontext", False),
    ("Zus", "gezinscontext", False),
    ("Broer", "gezinscontext", False),
    ("Beste vriend", "vrije_tijd", True),
    ("Voetbaltrainer", "vrije_tijd", True),
    ("Buurvrouw", "gezinscontext", False),
]

# (role, organisation kind, life domain)
FORMAL_ROLES = [
    ("CLB-medewerker", "school", "werk_onderwijs"),
    ("Leerlingbegeleider", "school", "werk_onderwijs"),
    ("Maatschappelijk werker", "social_services", "financien"),
    ("Begeleider CAW", "caw", "huisvesting"),
    ("Jeugdconsulent", "youth_court", "gezinscontext"),
    ("Therapeut", "mental_health", "gezondheid"),
    ("Jeugdwerker", "youth_work", "vrije_tijd"),
    ("Jeugdhulpverlener", "youth_care", "gezinscontext"),
    ("Wijkinspecteur", "police", "vrije_tijd"),
]
