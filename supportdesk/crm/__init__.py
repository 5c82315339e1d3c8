"""CRM sync: an organization's connection to HubSpot or Salesforce, both ways, through the outbox."""
