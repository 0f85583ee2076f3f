"""The Linear GraphQL documents the client sends, one operation per `.graphql` file."""
