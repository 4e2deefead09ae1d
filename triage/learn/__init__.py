"""`triage learn`: logs the KB does not know -> clusters of their failure messages -> draft KB entries.

region.py reads a failure's message out of a log, masks.py masks what varies, drain.py clusters
the masked messages, template.py turns a cluster into a regex, title and id, nearby.py finds an
existing entry the message is close to, draft.py writes and checks the draft, plan.py runs it all.
"""
