"""The text of every notice: one subject and one body per kind, written in German and
translated through the catalogues (``mediathek/locale``).

A body is plain text with placeholders in double curly braces (``{{ name }}``, ``{{ title }}``,
``{{ due_on | day }}``). ``{{ item_list }}`` stands where the list of media goes (a table in
the HTML part); the contact block and the opening hours are added below every e-mail. The
HTML part is made from the same text (paragraphs, links), so an admin who adapts a notice
edits one text per language (page "E-Mail-Vorlagen"), not three files.
"""

from __future__ import annotations

from typing import NamedTuple

from mediathek.i18n import N_
from mediathek.notifications.tables import NotificationKind as K


class NoticeText(NamedTuple):
    subject: str
    body: str


TEXTS: dict[str, NoticeText] = {
    K.due_soon: NoticeText(
        N_("Erinnerung: Ihre Medien sind bald fällig"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "diese Medien sind bald fällig:\n\n"
            "{{ item_list }}\n\n"
            "Bitte bringen Sie sie bis zum Fälligkeitstag zurück.\n"
            "Oder verlängern Sie online: {{ renew_link }}"
        ),
    ),
    K.overdue: NoticeText(
        N_(
            "{% if level >= 3 %}Letzte Mahnung{% else %}{{ level }}. Mahnung{% endif %}: "
            "Bitte bringen Sie Ihre Medien zurück"
        ),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "{% if level >= 3 %}diese Medien sind schon lange überfällig. Andere warten darauf.\n"
            "Bitte bringen Sie sie so bald wie möglich zurück oder melden Sie sich bei uns."
            "{% else %}die Leihfrist dieser Medien ist abgelaufen:{% endif %}\n\n"
            "{{ item_list }}\n\n"
            "Bitte bringen Sie die Medien zurück.\n"
            "{% if level >= 2 %}Medien ab der 2. Mahnung können Sie nicht mehr online "
            "verlängern. Brauchen Sie die Medien länger, sprechen Sie bitte mit uns.\n"
            "Ihre Ausleihen sehen Sie in Ihrem Konto: {{ renew_link }}"
            "{% else %}Vielleicht können Sie auch online verlängern: {{ renew_link }}"
            "{% endif %}\n\n"
            "Haben Sie die Medien schon zurückgebracht? Dann ist alles in Ordnung."
        ),
    ),
    K.hold_ready: NoticeText(
        N_("Abholbereit: {{ title }}"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "Ihre Vormerkung ist da: „{{ title }}“ liegt für Sie im Abholregal.\n"
            "{% if pickup_until %}Bitte holen Sie es bis {{ pickup_until | day }} ab.{% endif %}"
            "\n\n{% if barcode %}Barcode: {{ barcode }}\n{% endif %}"
            "Ihr Konto: {{ renew_link }}"
        ),
    ),
    K.hold_expired: NoticeText(
        N_("Abholfrist abgelaufen: {{ title }}"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "Sie haben „{{ title }}“ nicht rechtzeitig abgeholt. "
            "Ihre Vormerkung ist deshalb beendet.\n"
            "Sie können den Titel gern wieder vormerken.\n\n"
            "Ihr Konto: {{ renew_link }}"
        ),
    ),
    K.booking_confirmed: NoticeText(
        N_("Reservierung bestätigt: {{ title }}"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "Ihre Reservierung ist bestätigt:\n"
            "„{{ title }}“ vom {{ start_on | day }} bis {{ end_on | day }}.\n\n"
            "Wir sagen Bescheid, wenn das Medium abholbereit ist.\n\n"
            "Ihr Konto: {{ renew_link }}"
        ),
    ),
    K.booking_ready: NoticeText(
        N_("Reservierung abholbereit: {{ title }}"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "Ihre Reservierung liegt bereit: „{{ title }}“ für {{ start_on | day }} "
            "bis {{ end_on | day }}.\n"
            "{% if barcode %}Barcode: {{ barcode }}\n{% endif %}\n"
            "Ihr Konto: {{ renew_link }}"
        ),
    ),
    K.loan_receipt: NoticeText(
        N_(
            "{% if items %}Ihre Ausleihe in der Mediathek"
            "{% else %}Ihre Rückgabe in der Mediathek{% endif %}"
        ),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "{% if items %}Sie haben heute ausgeliehen:\n\n"
            "{{ item_list }}\n\n{% endif %}"
            "{% if returned %}Sie haben heute zurückgegeben:\n\n"
            "{{ returned_list }}\n\n{% endif %}"
            "Verlängern und Übersicht: {{ renew_link }}"
        ),
    ),
    K.registration_received: NoticeText(
        N_("Ihre Registrierung bei der Mediathek ist eingegangen"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "vielen Dank für Ihre Registrierung. So geht es weiter:\n\n"
            "1. Wir prüfen Ihre Angaben. Das dauert höchstens {{ approval_days or 3 }} "
            "Werktage.\n"
            "2. Dann bekommen Sie eine E-Mail: Ihr Konto ist freigeschaltet. "
            "Darin steht Ihre Ausweisnummer.\n"
            "   Ab dann können Sie sich anmelden, Medien vormerken und reservieren.\n"
            "3. Ihren Bibliotheksausweis bekommen Sie an der Theke, wenn Sie das erste Mal "
            "zu uns kommen.\n"
            "   Bitte bringen Sie einen Ausweis mit Foto mit. Dann können Sie gleich ausleihen."
            "\n\nWann wir geöffnet haben, steht unten.\n\n"
            "So funktioniert die Ausleihe: {{ base_url }}/so-funktionierts"
        ),
    ),
    K.account_approved: NoticeText(
        N_("Ihr Konto in der Mediathek ist freigeschaltet"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "Ihr Konto ist freigeschaltet. Sie können jetzt Medien vormerken und reservieren."
            "{% if card %}\n\nIhre Ausweisnummer: {{ card }}. "
            "Den gedruckten Ausweis bekommen Sie an der Theke.{% endif %}\n\n"
            "Anmelden: {{ base_url }}/anmelden"
        ),
    ),
    K.account_rejected: NoticeText(
        N_("Ihre Registrierung in der Mediathek"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "leider können wir Ihre Registrierung nicht freischalten.\n"
            "{% if reason %}Grund: {{ reason }}\n{% endif %}\n"
            "Bei Fragen melden Sie sich gern bei uns."
        ),
    ),
    K.invite: NoticeText(
        N_("Einladung zur Mediathek"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "für Sie wurde ein Konto in der Mediathek angelegt.\n"
            "Bitte legen Sie hier Ihr Passwort fest:\n\n"
            "{{ link }}\n\n"
            "Der Link gilt nur für kurze Zeit."
        ),
    ),
    K.password_reset: NoticeText(
        N_("Neues Passwort für die Mediathek"),
        N_(
            "Guten Tag,\n\n"
            "Sie möchten ein neues Passwort festlegen. Das geht hier:\n\n"
            "{{ link }}\n\n"
            "Der Link gilt nur für kurze Zeit. Haben Sie das nicht angefordert? "
            "Dann ignorieren Sie diese E-Mail einfach."
        ),
    ),
    K.email_change_confirm: NoticeText(
        N_("Bitte bestätigen Sie Ihre neue E-Mail-Adresse"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "Ihre Anmelde-Adresse für die Mediathek soll diese E-Mail-Adresse werden.\n"
            "Bitte bestätigen Sie das hier:\n\n"
            "{{ link }}\n\n"
            "Sie melden sich dort mit Ihrer bisherigen Adresse und Ihrem Passwort an und "
            "bestätigen.\n"
            "Erst dann gilt die neue Adresse. Der Link gilt 2 Tage.\n"
            "Haben Sie das nicht veranlasst? Dann ignorieren Sie diese E-Mail einfach."
        ),
    ),
    K.email_change_notice: NoticeText(
        N_("Ihre E-Mail-Adresse in der Mediathek soll geändert werden"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "Ihre Anmelde-Adresse für die Mediathek soll geändert werden auf: {{ new_email }}\n"
            "Die Änderung gilt erst, wenn sie über den Link an die neue Adresse bestätigt wird."
            "\n\nHaben Sie das nicht veranlasst? Dann melden Sie sich bitte bei uns.\n"
            "Bis dahin bleibt alles, wie es ist."
        ),
    ),
    K.login_warning: NoticeText(
        N_("Mehrere falsche Anmeldeversuche bei Ihrem Mediathek-Konto"),
        N_(
            "Guten Tag,\n\n"
            "jemand hat gerade mehrmals versucht, sich mit Ihrer E-Mail-Adresse und einem "
            "falschen Passwort bei der Mediathek anzumelden. Dieses Gerät muss jetzt "
            "{{ minutes or 15 }} Minuten warten.\n\n"
            "Waren Sie das selbst? Dann ist alles in Ordnung.\n\n"
            "Waren Sie das nicht? Ihr Passwort wurde nicht erraten. Sie können sich weiter "
            "ganz normal anmelden. Zur Sicherheit können Sie ein neues Passwort festlegen: "
            "{{ base_url }}/passwort-vergessen"
        ),
    ),
    K.card_expiry: NoticeText(
        N_("Ihr Bibliotheksausweis läuft am {{ expires_on | day }} ab"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "Ihr Bibliotheksausweis der Mediathek läuft am {{ expires_on | day }} ab.\n"
            "Bis dahin müssen alle Medien zurück: Leihfristen enden spätestens am letzten "
            "Öffnungstag davor.\n\n"
            "Möchten Sie weiter ausleihen? Dann lassen Sie den Ausweis bitte an der Theke "
            "verlängern.\n"
            "Das geht schnell und kostet nichts.\n\n"
            "Ihr Konto: {{ renew_link }}"
        ),
    ),
    K.dates_moved: NoticeText(
        N_("Neue Termine: die Mediathek ist geschlossen ({{ closure }})"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "die Mediathek ist an einigen Tagen geschlossen ({{ closure }}).\n"
            "Darum verschieben sich Ihre Termine auf den nächsten Öffnungstag:\n\n"
            "{% for item in items %}- {{ item.title }}\n  "
            "{% if item.what == 'due_on' %}Rückgabe bis"
            "{% elif item.what == 'pickup_until' %}Abholen bis"
            "{% else %}Reservierung: abholen ab{% endif %}: "
            "jetzt {{ item.new | day }} (statt {{ item.old | day }})\n\n{% endfor %}"
            "Sie müssen nichts tun.\n\n"
            "Ihr Konto: {{ renew_link }}"
        ),
    ),
    K.pickup_reminder: NoticeText(
        N_("Reservierung abholen ab {{ pickup_on | weekday }}, {{ pickup_on | day }}"),
        N_(
            "Guten Tag{% if name %} {{ name }}{% endif %},\n\n"
            "ab {{ pickup_on | weekday }}, {{ pickup_on | day }}, liegt Ihre Reservierung "
            "an der Theke für Sie bereit:\n\n"
            "{% for item in items %}- {{ item.title }}\n"
            "  Abholen ab {{ item.start_on | day }}, zurückbringen bis {{ item.end_on | day }}"
            "\n\n{% endfor %}"
            "Die Termine zum Abholen und Zurückbringen hängen als Kalenderdatei an.\n\n"
            "Sie können doch nicht kommen? Dann stornieren Sie die Reservierung bitte in "
            "Ihrem Konto, damit andere die Medien bekommen: {{ base_url }}/konto/reservierungen"
        ),
    ),
    K.test: NoticeText(
        N_("Test-E-Mail der Mediathek"),
        N_(
            "Guten Tag,\n\n"
            "dies ist eine Test-E-Mail. Wenn sie ankommt, stimmen die E-Mail-Einstellungen "
            "der Mediathek."
        ),
    ),
}

# What the items list and the footer say (the parts every notice shares).
LEVEL_LABELS = {
    0: N_("bald fällig"),
    1: N_("1. Mahnung"),
    2: N_("2. Mahnung"),
    # The third level is the last one: its digest is headed "Letzte Mahnung", so are its items.
    3: N_("letzte Mahnung"),
}
