"""Extensions, one package per component type named as in ADOT YAML."""
