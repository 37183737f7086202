"""Orchestration: the Airflow side. airflow_env (the environment every process gets, the pool, the
start date), assets, and the DAG builders the thin files in dags/ call. The builders declare; the
stages below do the work.
"""
