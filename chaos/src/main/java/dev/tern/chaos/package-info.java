/**
 * Chaos scenarios: the scenario model, schedules, injectors, and the verdicts that check what the
 * cluster did against what Tern promises.
 */
package dev.tern.chaos;
