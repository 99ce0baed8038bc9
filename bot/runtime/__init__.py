"""The running application: Runtime (resources and background workers), webhook server, in-process harness,
logging."""
