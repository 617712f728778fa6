"""What an onboarding makes in AEP: names, get-or-create, what defines each resource, dataflow patches,
run status. Pure logic over the client; no Airflow."""
