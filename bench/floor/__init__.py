"""The floor: a bare Django page served like Booky, to compare Booky's pages with in the same run.

Default startproject middleware, one indexed query of 20 rows rendered in a ~50-line list template,
its own PostgreSQL database (bench/run.py creates booky_bench_floor, migrates it and fills it), and
the same gunicorn (sync, 2 workers). DATABASE_URL, SECRET_KEY and ALLOWED_HOSTS come from the
environment, as for Booky.
"""
