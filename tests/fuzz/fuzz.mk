# tests/fuzz/ - libFuzzer targets for the parsers (policy, netlink decoding).
