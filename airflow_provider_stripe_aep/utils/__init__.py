"""Airflow-facing helpers shared by operators and sensors."""
