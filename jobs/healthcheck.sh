#!/bin/sh
# Health check of the continuous worker job: the worker's heartbeat file is fresh.
exec campaignkit jobs health
