"""`make drills`: the production topology on one machine, a real flow through nginx, then fault drills.

drills/run.py orchestrates; drills/topology.py starts and stops the processes; drills/client.py is the
browser-less HTTP client; drills/seed.py is the Django side (run as a subprocess with the app's env).
"""
