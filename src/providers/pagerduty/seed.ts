/** The PagerDuty seed's tools, exactly (its three writes included): the `pagerduty` profile. */
export const PAGERDUTY_SEED_TOOLS = [
  'get_escalation_policies',
  'get_incidents',
  'get_oncalls',
  'get_schedules',
  'get_services',
  'get_teams',
  'get_users',
  'list_users_oncall',
  'build_user_context',
  'acknowledge_incident',
  'resolve_incident',
  'add_incident_note',
] as const;
