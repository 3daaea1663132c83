# tests/schema/ - the policy files' JSON Schema against the shipped policies
# and against files it must refuse (python3-jsonschema, natively).
schema-test: $(BUILD)/premodd
	python3 tests/schema/check_schema.py $(BUILD)/premodd
