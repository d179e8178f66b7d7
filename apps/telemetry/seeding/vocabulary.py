"""Words the seeder builds its text from.

The text is meant to look like what a monitoring agent really captures,
including the personal and sensitive fragments (health, unions, family) that
make such data dangerous, so that the portal's exports and erasures are
exercised on realistic content. Nothing here may contain a tab, newline or
backslash: the bulk loaders rely on that to stream rows without escaping work.
"""

APPS = (
    "Outlook",
    "Teams",
    "Chrome",
    "Excel",
    "Word",
    "PowerPoint",
    "Slack",
    "VS Code",
    "Jira",
    "Salesforce",
    "Zoom",
    "Terminal",
)

WINDOW_TITLES = {
    "Outlook": ("Inbox - Outlook", "RE: Q3 budget", "FW: Travel request"),
    "Teams": ("Chat | Microsoft Teams", "Calendar | Microsoft Teams"),
    "Chrome": ("Google Search", "Wikipedia", "Bank - Online banking", "YouTube"),
    "Excel": ("forecast.xlsx", "headcount.xlsx", "expenses.xlsx"),
    "Word": ("contract-draft.docx", "minutes.docx", "cv-update.docx"),
    "PowerPoint": ("board-deck.pptx", "kickoff.pptx"),
    "Slack": ("#general - Slack", "Direct message - Slack"),
    "VS Code": ("main.py - VS Code", "settings.json - VS Code"),
    "Jira": ("Board - Jira", "PROJ-1234 - Jira"),
    "Salesforce": ("Opportunities | Salesforce", "Accounts | Salesforce"),
    "Zoom": ("Zoom Meeting", "Zoom - Chat"),
    "Terminal": ("bash", "ssh prod-db-01"),
}

WORDS = (
    "the", "report", "meeting", "budget", "customer", "deadline", "review", "please",
    "send", "update", "thanks", "tomorrow", "today", "team", "project", "call",
    "invoice", "contract", "draft", "numbers", "forecast", "quarter", "release",
    "bug", "fix", "deploy", "ticket", "schedule", "lunch", "holiday", "approve",
    "sorry", "late", "traffic", "client", "proposal", "slides", "data", "check",
    "again", "later", "soon", "agreed", "question", "issue", "risk", "plan",
)  # fmt: skip

# Fragments a keylogger picks up that reveal more than work.
PERSONAL_FRAGMENTS = (
    "booked doctor appointment for thursday",
    "pharmacy pickup after work",
    "union meeting at six",
    "kids pick up from school at three",
    "therapy session moved to friday",
    "looking at jobs elsewhere",
    "home loan application",
    "feeling unwell will log off early",
)

AI_TOOLS = ("ChatGPT Enterprise", "Copilot", "Claude", "Gemini")
PROMPT_TEMPLATES = (
    "Summarise this email thread about {topic}",
    "Rewrite this paragraph about {topic} so it sounds more polite",
    "Write a python function that parses the {topic} export",
    "Draft a reply to my manager about {topic}",
    "What should I say in my performance review about {topic}",
    "Explain the {topic} numbers in simple words",
)
RESPONSE_TEMPLATES = (
    "Here is a short summary of the {topic} thread: {words}",
    "Sure. A more polite version: {words}",
    "Here is a function that does that: def parse_{slug}(rows): return rows",
    "You could reply: {words}",
    "Consider mentioning: {words}",
)
TOPICS = (
    "budget",
    "the Q3 forecast",
    "the customer escalation",
    "the release plan",
    "my sick leave",
    "the reorganisation",
    "the supplier contract",
    "hiring",
)

CHANNELS = (
    "#general",
    "#random",
    "#incidents",
    "#sales-deals",
    "#dev",
    "#hr-questions",
    "direct message",
)

MEETING_TITLES = (
    "Weekly team sync",
    "1:1 with manager",
    "Quarterly planning",
    "Customer call",
    "Sprint retrospective",
    "All hands",
    "Incident review",
)

PERFORMANCE_NOTES = (
    "Consistently meets deadlines and helps colleagues.",
    "Response times to tickets have slipped this month.",
    "Keystroke activity below team average on several days.",
    "Led the customer escalation well under pressure.",
    "Frequent long idle periods; discuss workload.",
    "Strong presentation at the quarterly planning.",
    "Needs to improve documentation of changes.",
)
