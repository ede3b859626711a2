"""The top layer: what people see and touch. Notebook widgets (`widgets`), the Voila
reviewer app (`app`), Slack (`slack`), the command line (`cli`) and `review()` /
`areview()`, which start a session and show it (`api`). Nothing below imports from here.
"""
