"""The decision log: drift reviews recorded by a system's drift monitor (`review drift SYSTEM`) and
decisions recorded by its retraining decider (`decide SYSTEM`: retrain, replace, roll back, keep,
suspend use, retire), each decision linked to the reviews and flags that motivated it. A decision that
changes the model version asks the change communicator to announce it; suspend and retire tell the
system's users and stop its programme nudges. Readiness reads `service` for the cadence checks.
"""
