"""Word lists and message templates for `seed-demo`: enough variety to read like a real help desk.

Templates use `str.format_map` placeholders filled per ticket by `fillers()`; `{first}` is the
customer's first name and `{agent}` the replying agent's.
"""

from __future__ import annotations

import random
from typing import NamedTuple

FIRST_NAMES = (
    "Olivia Liam Emma Noah Ava Oliver Sophia Elijah Isabella Lucas Mia Mason Amelia Ethan Harper "
    "Logan Evelyn James Abigail Aiden Emily Jacob Ella Michael Chloe Daniel Grace Henry Zoe Jack "
    "Lily Samuel Hannah David Nora Leo Aria Owen Layla Julian Riley Ezra Nina Mateo Priya Ravi "
    "Aisha Omar Yuki Kenji Ingrid Lars Sofia Marco Chiara Luca Fatima Tomás Elena Pavel Anja "
    "Kwame Amara Chen Mei Sven Freya Diego Lucía Hugo Camille Jonas Lea Arjun Ana Malik Zara"
).split()

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Clark "
    "Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell "
    "Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris "
    "Nguyen Murphy Rivera Cook Rogers Morgan Peterson Cooper Reed Bailey Bell Kim Patel Shah "
    "Okafor Mensah Novak Kowalski Jensen Larsen Rossi Bianchi Müller Schmidt Dubois Moreau Sato "
    "Tanaka Ivanova Petrov Silva Santos Costa Haddad Khan Singh Olsen Berg Lindqvist"
).split()

COMPANIES = (
    "Northwind Traders", "Contoso Retail", "Fabrikam Labs", "Initech", "Umbrella Logistics",
    "Stark Analytics", "Wayne Outdoor", "Hooli", "Pied Piper", "Vandelay Imports",
    "Blue Harbor Foods", "Brightline Studio", "Cedar & Co", "Copperleaf Health", "Driftwood Travel",
    "Evergreen Dental", "Foxglove Design", "Granite Insurance", "Helix Biotech", "Ironbridge Legal",
    "Juniper Schools", "Kestrel Aviation", "Lumen Energy", "Maple Street Bakery", "Nimbus Cloud",
    "Oakridge Realty", "Pinnacle Fitness", "Quartz Media", "Redwood Clinics", "Silverline Freight",
    "Tidewater Marine", "Urban Sprout", "Velvet Hotels", "Willow Pharmacy", "Yellowstone Tours",
    "Zephyr Bikes", "Atlas Accounting", "Beacon Nonprofit", "Cobalt Games", "Delta Print Works",
)

# Weights line up with customers.models.Tier: free, basic, premium, enterprise.
TIER_WEIGHTS = (40, 30, 20, 10)

TEAMS = {
    "Billing": "Invoices, payments, refunds and plan changes.",
    "Technical": "Bugs, integrations, API and performance questions.",
    "Accounts": "Sign-in, passwords, SSO and account ownership.",
    "Onboarding": "New customers: setup, imports and training.",
}


class Topic(NamedTuple):
    """One kind of request: who handles it and what the conversation says."""

    team: str
    subjects: tuple[str, ...]
    problems: tuple[str, ...]
    fixes: tuple[str, ...]
    tags: tuple[str, ...]


TOPICS = (
    Topic(
        "Billing",
        ("Invoice {invoice} shows the wrong VAT rate", "Charged twice for the {month} subscription",
         "Please update the billing address on our invoices", "Refund request for unused seats",
         "Card declined when upgrading to {plan}", "Need a PDF copy of invoice {invoice}",
         "Why did our bill go up in {month}?", "Switch us to annual billing"),
        ("Our invoice {invoice} was charged at 25% VAT but we are VAT-registered in the EU and "
         "should be reverse-charged.",
         "I can see two identical charges on our card for the {month} renewal of the {plan} plan.",
         "We moved offices and the invoices still show the old address. Our finance team needs "
         "the new one before month end.",
         "We reduced the team from {count} to 3 people and would like a refund for the seats we "
         "no longer use.",
         "Every time I try to upgrade to {plan} the payment page says the card was declined, but "
         "the bank says nothing was attempted."),
        ("I've corrected the VAT treatment and issued a credit note; the corrected invoice is in "
         "your billing page now.",
         "You were right, the renewal ran twice. I've refunded the duplicate charge; it takes 5-10 "
         "business days to appear on your statement.",
         "The billing address is updated and future invoices will use it. I've also re-issued "
         "invoice {invoice} with the new address.",
         "The payment provider had flagged the card for a 3-D Secure check. I've cleared it, so "
         "the upgrade to {plan} should go through now."),
        ("billing", "invoice", "refund", "vat", "payments"),
    ),
    Topic(
        "Technical",
        ("{feature} times out for large accounts", "Webhook deliveries to our endpoint are failing",
         "{integration} sync stopped working", "Error {error} when saving a record",
         "The dashboard is blank in {browser}", "API returns 429 Too Many Requests",
         "Mobile app crashes on start", "Notification emails are landing in spam"),
        ("Since {when}, {feature} spins for about a minute and then shows a timeout error.",
         "Our {integration} integration has not synced anything since {when}. The status page "
         "in the app just says 'pending'.",
         "When I click Save I get error {error} and my changes are lost. It happens for everyone "
         "on our team.",
         "Using {browser}, the dashboard loads the header and then stays completely blank. "
         "Other browsers seem fine.",
         "Our nightly job hits the API and started getting 429 responses {when}, even though we "
         "have not changed anything."),
        ("We found the slow query behind this and deployed a fix this morning. {feature} now "
         "loads in a few seconds for your account.",
         "The {integration} token had expired on our side. I've renewed it and triggered a full "
         "resync, which has completed.",
         "This was a bug in the last release. A fix is live now; could you try again?",
         "Your API key was sharing a rate limit bucket with a test key. I've separated them and "
         "raised your limit to match the {plan} plan."),
        ("bug", "integration", "api", "performance", "mobile"),
    ),
    Topic(
        "Accounts",
        ("Cannot reset my password", "SSO login fails with {idp}", "Two-factor codes are not accepted",
         "Please remove a former employee from our account", "Locked out after too many attempts",
         "How do I transfer ownership of our account?", "Change the email address on my account"),
        ("I've requested a password reset three times but the email never arrives. I checked "
         "the spam folder too.",
         "After we switched to {idp}, everyone gets 'SAML response invalid' when signing in.",
         "The codes from my authenticator app are rejected every time, even right after they "
         "change.",
         "One of our colleagues left the company and we need their access removed today.",
         "I typed my password wrong a few times and now the login page says my account is "
         "locked."),
        ("I've cleared the lock on your account, so you can sign in again now. The reset link I "
         "just sent is valid for one hour.",
         "The certificate fingerprint in your {idp} settings did not match ours. I've updated it "
         "and test sign-ins are working.",
         "Your phone's clock was a few minutes off, which makes the codes look expired. After "
         "syncing the time they should work.",
         "Done: the account is deactivated and their open items were reassigned to you."),
        ("login", "password", "sso", "2fa", "access"),
    ),
    Topic(
        "Onboarding",
        ("How do I import my existing contacts?", "Setting up {integration} for the first time",
         "Can we get a walkthrough of the {plan} plan?", "Invite link for new team members has expired",
         "Best way to organise our workspace", "Question about the trial period"),
        ("We are moving from a spreadsheet with about {count}00 contacts. What is the best way "
         "to bring them in?",
         "We'd like to connect {integration} but the setup page asks for a callback URL and we "
         "are not sure what to put there.",
         "Our team starts next week and we would love a short walkthrough of the {plan} features.",
         "I invited {count} colleagues but the links expired before they could accept.",
         "Our trial ends soon and we have not had time to test everything. Can it be extended?"),
        ("You can import contacts from CSV under Settings > Import; I've attached a template "
         "with the right columns.",
         "I've sent fresh invitations; they are valid for 14 days this time.",
         "I've booked a 30-minute walkthrough for your team and sent the calendar invite.",
         "I've extended your trial by two weeks so you have time to finish testing."),
        ("onboarding", "import", "training", "trial", "how-to"),
    ),
)

GENERAL_TAGS = ("urgent", "follow-up", "feature-request", "vip", "escalated", "known-issue")

GREETINGS = ("Hi,", "Hello,", "Hi there,", "Good morning,", "Hello support team,", "Hey,")
DETAILS = (
    "This started {when}.", "It affects {count} people on our team.",
    "We are on the {plan} plan, if that matters.", "I have attached a screenshot.",
    "Could you look into it as soon as possible?", "We have a deadline on Friday, so it is urgent.",
    "Nothing changed on our side as far as I know.", "",
)
SIGN_OFFS = ("Thanks,", "Best regards,", "Cheers,", "Kind regards,", "Thank you,", "Many thanks,")

ASKS = (
    "Thanks for the details. Could you send us a screenshot of what you see, and the time it "
    "last happened?",
    "Sorry for the trouble. Which browser and version are you using, and does it happen in a "
    "private window too?",
    "To check this I need the email address of the affected user and roughly when it happened.",
    "Could you confirm the exact error message? A copy and paste is perfect.",
)
UPDATES = (
    "Thanks for reporting this. I can reproduce it and have passed it to our engineers; I'll "
    "update you as soon as I hear back.",
    "Quick update: we've narrowed it down and are testing a fix now.",
    "I'm looking into this now and will get back to you later today.",
)
NOTES = (
    "Reproduced on staging. Escalating to engineering, see {bug}.",
    "Customer is on {plan}; the renewal is coming up, so let's keep them happy.",
    "Checked the logs: the first failure was {when}.",
    "Same root cause as {bug}. Linking the tickets.",
    "Asked finance to double-check before we reply.",
    "Waiting on the payments provider; they said 24 hours.",
    "Called the customer, they will send the details by email.",
)
FOLLOW_UPS = (
    "Here you go: it happened again {when}, screenshot attached.",
    "I'm using {browser}. Same result in a private window, unfortunately.",
    "Unfortunately it is still happening for some of our users.",
    "The error says: {error}. Hope that helps.",
    "Thanks for the quick answer! One more question: does this also apply to {feature}?",
    "Any news on this? It is blocking our team.",
)
CLOSINGS = ("Best,", "Kind regards,", "Thanks,", "All the best,")

_FILLERS = {
    "month": ("January February March April May June July August September October November "
              "December").split(),
    "plan": ("Starter", "Growth", "Business", "Enterprise"),
    "feature": ("CSV export", "The reports page", "Bulk edit", "Search", "The activity feed"),
    "integration": ("Slack", "Salesforce", "Zapier", "HubSpot", "Jira", "Shopify"),
    "browser": ("Safari 17", "Chrome 126", "Firefox 128", "Edge 125"),
    "idp": ("Okta", "Azure AD", "Google Workspace", "OneLogin"),
    "error": ("E1042", "E2210", "500 Internal Server Error", "ERR_CONNECTION_RESET", "E0301"),
    "when": ("yesterday", "this morning", "last Monday", "two days ago", "after the last update"),
    "count": tuple(str(n) for n in range(2, 13)),
}


def fillers(rng: random.Random) -> dict[str, str]:
    """One ticket's placeholder values, so its subject and messages agree with each other."""
    values = {key: rng.choice(options) for key, options in _FILLERS.items()}
    values["invoice"] = f"INV-{rng.randint(10000, 99999)}"
    values["bug"] = f"ENG-{rng.randint(100, 4999)}"
    return values
