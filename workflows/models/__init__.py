"""Parameters and results at the flows' boundary, shared by the flows, the bot and `blocks/`.

One module per workflow type (named like its flow), plus what every run shares: `runs` (where a
run was asked for) and `snapshots` (what a run looks like at one moment).
"""
