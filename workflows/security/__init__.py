"""Security audit building blocks: severities, dependency advisories, upgrades, SARIF."""
