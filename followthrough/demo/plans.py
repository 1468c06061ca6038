"""What the demo's clients work on, by focus area: a goal with its measure and Goal Attainment
Scaling levels, the call to action, and the actions (with the tools they need) they agree to."""

FOCUS_PLANS = {
    "business": (
        ("New-client revenue", "Revenue from new clients per month",
         ("Under £1,000", "£1,000 to £1,999", "£2,000 to £2,999", "£3,000 to £3,999", "£4,000 or more")),
        "Ten sales conversations a month",
        [("Call three former clients about repeat work", "client list"),
         ("Draft the new price sheet", "last year's invoices"),
         ("Post two case studies on the website", "website login"),
         ("Book a meeting with the accountant about cash flow", ""),
         ("Write a one-page offer for the new service", "")]),
    "relationships": (
        ("Fewer unresolved arguments", "Arguments a week that end without making up",
         ("Four or more", "Three", "Two", "One", "None")),
        "Raise one difficult subject a week, calmly and early",
        [("Plan a screen-free evening together", ""),
         ("Write down three things you want your partner to hear", "notebook"),
         ("Have the conversation about sharing the chores", ""),
         ("Call your brother to clear the air", "")]),
    "career": (
        ("A new role", "Stage reached in the job search",
         ("No applications sent", "Applications sent, no replies", "First interviews",
          "Final interview", "Offer accepted")),
        "Five tailored applications a month",
        [("Update the CV with the last two roles", "laptop"),
         ("Ask two former colleagues for an introduction", "LinkedIn account"),
         ("Apply to three roles that fit the brief", "updated CV"),
         ("Prepare answers to five interview questions", "")]),
    "health": (
        ("Regular exercise", "Days a week with thirty minutes of exercise",
         ("None", "One", "Three", "Four", "Five or more")),
        "Move every day, even briefly",
        [("Walk thirty minutes on four days", "walking shoes"),
         ("Cook at home on five evenings", "shopping list"),
         ("Be in bed by eleven on weeknights", ""),
         ("Book the GP check-up", "")]),
    "finances": (
        ("Emergency savings", "Months of expenses saved",
         ("Nothing saved", "Under one month", "One month", "Two months", "Three months or more")),
        "Look at the accounts every Sunday",
        [("Track every spend for a week", "budgeting app"),
         ("Cancel two unused subscriptions", "bank statements"),
         ("Move £200 into the savings pot on payday", "banking app"),
         ("List all debts with their interest rates", "statements")]),
    "life-transitions": (
        ("Settled after the move", "How settled the new life is",
         ("Still undecided where to live", "City chosen", "Flat found", "Moved in",
          "Moved in and part of a local group")),
        "One practical step towards the move each week",
        [("Visit two neighbourhoods you could live in", "train tickets"),
         ("List what to keep and what to let go", ""),
         ("Join one local group or class", "")]),
    "personal-growth": (
        ("A daily reflection habit", "Mornings a week spent journaling",
         ("None", "One or two", "Three or four", "Five or six", "Every day")),
        "Ten quiet minutes every morning",
        [("Journal ten minutes each morning", "journal"),
         ("Read one chapter of the book we discussed", "the book"),
         ("Say no to one request that does not fit your priorities", "")]),
}
