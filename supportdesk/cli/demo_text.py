"""Word lists and message templates for `seed-demo`: enough variety to read like a real help desk.

Templates use `str.format_map` placeholders filled per ticket by `fillers()`, so a ticket's
subject and messages agree; `{first}` is the customer's first name.
"""

from __future__ import annotations

import random
from typing import NamedTuple


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Olivia Liam Emma Noah Ava Oliver Sophia Elijah Isabella Lucas Mia Mason Amelia Ethan Harper "
    "Logan Evelyn James Abigail Aiden Emily Jacob Ella Michael Chloe Daniel Grace Henry Zoe Jack "
    "Lily Samuel Hannah David Nora Leo Aria Owen Layla Julian Riley Ezra Nina Mateo Priya Ravi "
    "Aisha Omar Yuki Kenji Ingrid Lars Sofia Marco Chiara Luca Fatima Tomás Elena Pavel Anja "
    "Kwame Amara Chen Mei Sven Freya Diego Lucía Hugo Camille Jonas Lea Arjun Ana Malik Zara"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Clark "
    "Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell "
    "Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris "
    "Nguyen Murphy Rivera Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kim Patel Shah "
    "Okafor Mensah Novak Kowalski Jensen Larsen Rossi Bianchi Müller Schmidt Dubois Moreau Sato "
    "Tanaka Ivanova Petrov Silva Santos Costa Haddad Khan Singh Olsen Berg Lindqvist"
)
COMPANIES = (
    "Northwind Traders", "Contoso Retail", "Fabrikam Labs", "Initech", "Umbrella Logistics",
    "Stark Analytics", "Wayne Outdoor", "Hooli", "Pied Piper", "Vandelay Imports",
    "Blue Harbor Foods", "Brightline Studio", "Cedar and Co", "Copperleaf Health",
    "Driftwood Travel", "Evergreen Dental", "Foxglove Design", "Granite Insurance", "Helix Biotech",
    "Ironbridge Legal", "Juniper Schools", "Kestrel Aviation", "Lumen Energy",
    "Maple Street Bakery", "Nimbus Cloud", "Oakridge Realty", "Pinnacle Fitness", "Quartz Media",
    "Redwood Clinics", "Silverline Freight", "Tidewater Marine", "Urban Sprout", "Velvet Hotels",
    "Willow Pharmacy", "Yellowstone Tours", "Zephyr Bikes", "Atlas Accounting", "Cobalt Games",
)  # fmt: skip
TIER_WEIGHTS = (40, 30, 20, 10)  # free, basic, premium, enterprise
TEAMS = {
    "Billing": "Invoices, payments, refunds and plan changes.",
    "Technical": "Bugs, integrations, API and performance questions.",
    "Accounts": "Sign-in, passwords, SSO and account ownership.",
    "Onboarding": "New customers: setup, imports and training.",
}


class Issue(NamedTuple):
    """One kind of request: the team that handles it, how the customer puts it, how it ends."""

    team: str
    subject: str
    problem: str
    fix: str
    tags: tuple[str, ...]


def _issue(team: str, tags: str, subject: str, problem: str, fix: str) -> Issue:
    return Issue(team, subject, problem, fix, _words(tags))


ISSUES = (
    _issue("Billing", "billing vat invoice", "Invoice {invoice} shows the wrong VAT rate",
           "Invoice {invoice} was charged at 25% VAT, but we are VAT-registered in the EU and "
           "should be reverse-charged.",
           "I've corrected the VAT treatment and issued a credit note; the corrected invoice is "
           "on your billing page now."),
    _issue("Billing", "billing payments refund", "Charged twice for the {month} subscription",
           "I can see two identical charges on our card for the {month} renewal of the {plan} "
           "plan.",
           "You were right, the renewal ran twice. I've refunded the duplicate charge; it takes "
           "5-10 business days to show on your statement."),
    _issue("Billing", "billing invoice", "Please update the billing address on our invoices",
           "We moved offices and the invoices still show the old address. Our finance team needs "
           "the new one before month end.",
           "The address is updated and future invoices will use it. I've also re-issued invoice "
           "{invoice} with the new address."),
    _issue("Billing", "billing refund", "Refund request for unused seats",
           "We went from {count} people down to 3 and would like a refund for the seats we no "
           "longer use.",
           "I've removed the extra seats and refunded the unused part of this period pro rata."),
    _issue("Billing", "billing payments", "Card declined when upgrading to {plan}",
           "Every time I try to upgrade to {plan} the payment page says the card was declined, "
           "but the bank says nothing was attempted.",
           "The payment provider had flagged the card for a 3-D Secure check. I've cleared it, "
           "so the upgrade should go through now."),
    _issue("Billing", "billing invoice", "Need a PDF copy of invoice {invoice}",
           "Our accountant needs invoice {invoice} as a PDF, but the download button does "
           "nothing.",
           "I've attached the PDF. The download button is fixed as well."),
    _issue("Billing", "billing", "Why did our bill go up in {month}?",
           "Our {month} invoice is almost double the usual amount and I can't see why.",
           "The difference comes from {count} extra seats added mid-month; I've attached a "
           "breakdown per seat."),
    _issue("Technical", "bug performance", "{feature} times out for large accounts",
           "Since {when}, {feature} spins for about a minute and then shows a timeout error.",
           "We found the slow query behind this and deployed a fix. {feature} now loads in a "
           "few seconds for your account."),
    _issue("Technical", "integration api", "Webhook deliveries to our endpoint are failing",
           "Our endpoint has not received any webhooks since {when}, and the delivery log shows "
           "error {error}.",
           "Your endpoint's TLS certificate had expired, so our deliveries were refused. Once you "
           "renewed it, the queued webhooks went through."),
    _issue("Technical", "integration bug", "{integration} sync stopped working",
           "Our {integration} integration has not synced anything since {when}. The settings page "
           "just says 'pending'.",
           "The {integration} token had expired on our side. I've renewed it and run a full "
           "resync, which has completed."),
    _issue("Technical", "bug", "Error {error} when saving a record",
           "When I click Save I get error {error} and my changes are lost. It happens for "
           "everyone on our team.",
           "This was a bug in the last release. A fix is live now; saving works again."),
    _issue("Technical", "bug", "The dashboard is blank in {browser}",
           "Using {browser}, the dashboard loads the header and then stays completely blank. "
           "Other browsers seem fine.",
           "A script failed to load in {browser} only. We've shipped a fix; a reload should "
           "show the dashboard again."),
    _issue("Technical", "api performance", "API returns 429 Too Many Requests",
           "Our nightly job calls the API and started getting 429 responses {when}, although we "
           "changed nothing.",
           "Your key shared a rate limit with a test key. I've split them and raised your limit "
           "to match the {plan} plan."),
    _issue("Technical", "mobile bug", "Mobile app crashes on start",
           "Since the latest update, the mobile app closes right after the splash screen.",
           "Version 4.2.1 of the app fixes this crash; it is in the app stores now."),
    _issue("Technical", "bug", "Notification emails are landing in spam",
           "Our customers say the notification emails end up in their spam folder.",
           "Your sending domain was missing a DKIM record. With the record you added, the mails "
           "now pass the checks."),
    _issue("Accounts", "login password", "Cannot reset my password",
           "I've requested a password reset three times but the email never arrives. I checked "
           "the spam folder too.",
           "Our mail provider had bounced your address once and blocked it. I've unblocked it "
           "and sent a new reset link, valid for one hour."),
    _issue("Accounts", "sso login", "SSO login fails with {idp}",
           "After we switched to {idp}, everyone gets 'SAML response invalid' when signing in.",
           "The certificate fingerprint in your {idp} settings did not match ours. I've updated "
           "it and test sign-ins work."),
    _issue("Accounts", "2fa login", "Two-factor codes are not accepted",
           "The codes from my authenticator app are rejected every time, even right after they "
           "change.",
           "Your phone's clock was a few minutes off, which makes the codes look expired. After "
           "syncing the time they work."),
    _issue("Accounts", "access", "Please remove a former employee from our account",
           "One of our colleagues left the company and we need their access removed today.",
           "Done: their account is deactivated and their open items are reassigned to you."),
    _issue("Accounts", "login access", "Locked out after too many sign-in attempts",
           "I typed my password wrong a few times and now the login page says my account is "
           "locked.",
           "I've cleared the lock, so you can sign in again now."),
    _issue("Accounts", "access", "How do I transfer ownership of our account?",
           "I am leaving the company and need to hand the account owner role to a colleague.",
           "I've made your colleague the owner; you are now a regular member."),
    _issue("Onboarding", "import how-to", "How do I import our existing contacts?",
           "We are moving from a spreadsheet with about {count}00 contacts. What is the best way "
           "to bring them in?",
           "You can import them from CSV under Settings > Import; I've attached a template with "
           "the right columns."),
    _issue("Onboarding", "integration how-to", "Setting up {integration} for the first time",
           "We'd like to connect {integration}, but the setup page asks for a callback URL and we "
           "are not sure what to put there.",
           "The callback URL is shown under Settings > Integrations > {integration}; I've "
           "pre-filled it for you."),
    _issue("Onboarding", "training", "Can we get a walkthrough of the {plan} plan?",
           "Our team starts next week and we would love a short walkthrough of the {plan} "
           "features.",
           "I've booked a 30-minute walkthrough for your team and sent the calendar invite."),
    _issue("Onboarding", "access how-to", "Invite links for new team members have expired",
           "I invited {count} colleagues but the links expired before they could accept.",
           "I've sent fresh invitations; they are valid for 14 days this time."),
    _issue("Onboarding", "trial", "Can our trial be extended?",
           "Our trial ends soon and we have not had time to test everything yet.",
           "I've extended your trial by two weeks so you have time to finish testing."),
)  # fmt: skip

GENERAL_TAGS = _words("urgent follow-up feature-request vip escalated known-issue")

GREETINGS = ("Hi,", "Hello,", "Hi there,", "Good morning,", "Hello support team,", "Hey,")
DETAILS = (
    "This started {when}.", "It affects {count} people on our team.",
    "We are on the {plan} plan, if that matters.", "I have attached a screenshot.",
    "Could you look into it as soon as possible?", "We have a deadline on Friday.",
    "Nothing changed on our side as far as I know.", "",
)  # fmt: skip
SIGN_OFFS = ("Thanks,", "Best regards,", "Cheers,", "Kind regards,", "Thank you,")
ASKS = (
    "Thanks for the details. Could you send a screenshot of what you see, and when it last "
    "happened?",
    "Sorry for the trouble. Which browser are you using, and does it also happen in a private "
    "window?",
    "To check this I need the email address of the affected user and roughly when it happened.",
    "Could you send the exact error message? A copy and paste is perfect.",
)
UPDATES = (
    "Thanks for reporting this. I can reproduce it and have passed it to our engineers; I'll "
    "update you as soon as I hear back.",
    "Quick update: we've narrowed it down and are testing a fix now.",
    "I'm looking into this now and will get back to you later today.",
)
ANSWERS = (  # the customer answers an agent's question
    "Here you go: it happened again {when}, screenshot attached.",
    "I'm using {browser}. Same result in a private window, unfortunately.",
    "The error says: {error}. Hope that helps.",
    "It was me, {first}, this morning around 9.",
)
NUDGES = (  # the customer writes again without being asked
    "Any news on this? It is blocking our team.",
    "Just to add: it is happening to more of our users now.",
    "Is there an update? We would need this sorted by {month} at the latest.",
)
NOTES = (
    "Reproduced on staging. Escalating to engineering, see {bug}.",
    "Customer is on {plan}; their renewal is coming up.",
    "Checked the logs: the first failure was {when}.",
    "Same root cause as {bug}. Linking the tickets.",
    "Asked finance to double-check before we reply.",
    "Called the customer; they will send the details by email.",
)
CLOSINGS = ("Best,", "Kind regards,", "Thanks,", "All the best,")

_FILLERS = {
    "month": _words("January February March April May June July August September October "
                    "November December"),
    "plan": ("Starter", "Growth", "Business", "Enterprise"),
    "feature": ("CSV export", "The reports page", "Bulk edit", "Search", "The activity feed"),
    "integration": ("Slack", "Salesforce", "Zapier", "HubSpot", "Jira", "Shopify"),
    "browser": ("Safari 17", "Chrome 126", "Firefox 128", "Edge 125"),
    "idp": ("Okta", "Azure AD", "Google Workspace", "OneLogin"),
    "error": ("E1042", "E2210", "500 Internal Server Error", "ERR_CONNECTION_RESET", "E0301"),
    "when": ("yesterday", "this morning", "last Monday", "two days ago", "after the last update"),
    "count": tuple(str(n) for n in range(4, 13)),
}  # fmt: skip


def fillers(rng: random.Random, first_name: str) -> dict[str, str]:
    """One ticket's placeholder values, so its subject and messages agree with each other."""
    values = {key: rng.choice(options) for key, options in _FILLERS.items()}
    values.update(first=first_name, invoice=f"INV-{rng.randint(10000, 99999)}",
                  bug=f"ENG-{rng.randint(100, 4999)}")  # fmt: skip
    return values


def opening(rng: random.Random, issue: Issue) -> str:
    """The customer's first message."""
    parts = (rng.choice(GREETINGS), issue.problem, rng.choice(DETAILS))
    return "\n\n".join(p for p in parts if p) + f"\n\n{rng.choice(SIGN_OFFS)}\n{{first}}"


def customer_reply(rng: random.Random, answering: bool) -> str:
    """A later message from the customer: an answer to a question, or a nudge."""
    line = rng.choice(ANSWERS if answering else NUDGES)
    return f"{line}\n\n{rng.choice(SIGN_OFFS)}\n{{first}}"


def agent_reply(rng: random.Random, line: str, agent_first_name: str) -> str:
    """An agent's public reply around one line (a question, an update or the fix)."""
    return f"Hi {{first}},\n\n{line}\n\n{rng.choice(CLOSINGS)}\n{agent_first_name}"
