/**
 * Paging: the routes that tell people about incidents (PagerDuty, Opsgenie, Slack, Alertmanager, a
 * signed webhook), and the leader's notifier that delivers each incident's trigger and resolve
 * once per route, retrying what failed. See docs/alerting.md.
 */
package dev.tern.controlplane.alerting;
