package dev.tern.chaos.run;

import dev.tern.chaos.scenario.Targets;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.Service;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a scenario's targets into the backends they hit in the current policy, and refuses a run
 * whose blast radius they exceed. Pure: the runner calls it before anything is injected, and a dry
 * run calls nothing else.
 */
public final class TargetResolver {

  private TargetResolver() {}

  /** The backends hit, in policy order, or why the run may not start. */
  public sealed interface Resolution permits Resolved, Refused {}

  /** The backends the fault will hit. */
  public record Resolved(List<TargetBackend> backends) implements Resolution {
    public Resolved {
      backends = List.copyOf(backends);
    }
  }

  /** Every reason the targets cannot be used. */
  public record Refused(List<String> reasons) implements Resolution {
    public Refused {
      reasons = List.copyOf(reasons);
    }
  }

  public static Resolution resolve(Targets targets, Policy policy) {
    return resolve(targets, policy, Map.of());
  }

  /**
   * As {@link #resolve(Targets, Policy)}, with each service's current answers per client zone
   * ({@code service → zone → backends}) for selectors that pick the backends answering a zone.
   */
  public static Resolution resolve(Targets targets, Policy policy, Map<String, Map<String, List<String>>> answers) {
    List<String> reasons = new ArrayList<>();
    Set<String> hit = new LinkedHashSet<>();
    List<TargetBackend> resolved = new ArrayList<>();
    for (String named : targets.backends()) {
      String service = named.substring(0, named.indexOf('/'));
      String backend = named.substring(named.indexOf('/') + 1);
      boolean known = policy.services().stream().anyMatch(s -> s.name().equals(service)
          && s.backend(backend).isPresent());
      if (!known) {
        reasons.add("no backend " + named + " in the policy");
      }
    }
    targets.selector().ifPresent(sel -> {
      if (policy.services().stream().noneMatch(s -> s.name().equals(sel.service()))) {
        reasons.add("the selector names service " + sel.service() + ", which the policy does not have");
      } else if (sel.answering().isPresent()
          && !answers.getOrDefault(sel.service(), Map.of()).containsKey(sel.answering().get())) {
        reasons.add("service " + sel.service() + " has no plan answering client zone " + sel.answering().get()
            + " now; zones answered: " + answers.getOrDefault(sel.service(), Map.of()).keySet().stream().sorted().toList());
      }
    });
    for (Service s : policy.services()) {
      for (Backend b : s.backends()) {
        String name = s.name() + "/" + b.name();
        boolean byName = targets.backends().contains(name);
        boolean byRegion = targets.regions().contains(b.region());
        boolean byCloud = targets.clouds().contains(b.region().cloud());
        boolean bySelector = targets.selector().filter(sel -> sel.service().equals(s.name())
            && sel.jurisdiction().map(j -> j.equals(b.jurisdiction().code())).orElse(true)
            && sel.cloud().map(c -> c == b.region().cloud()).orElse(true)
            && sel.answering().map(z -> answers.getOrDefault(s.name(), Map.of()).getOrDefault(z, List.of())
                .contains(b.name())).orElse(true)).isPresent();
        if ((byName || byRegion || byCloud || bySelector) && hit.add(name)) {
          resolved.add(new TargetBackend(s.name(), b.name(), b.region()));
        }
      }
    }
    targets.blastRadius().maxBackends().ifPresent(max -> {
      if (hit.size() > max) {
        reasons.add("the targets are " + hit.size() + " backends; the blast radius allows " + max);
      }
    });
    targets.blastRadius().maxCapacityPercent().ifPresent(max -> {
      for (Service s : policy.services()) {
        long total = s.backends().stream().mapToLong(Backend::capacity).sum();
        long taken = s.backends().stream().filter(b -> hit.contains(s.name() + "/" + b.name())).mapToLong(Backend::capacity).sum();
        if (total > 0 && taken * 100.0 / total > max + 1e-9) {
          reasons.add(String.format(java.util.Locale.ROOT, "the targets hold %.0f%% of %s's capacity; the blast radius allows %.0f%%",
              taken * 100.0 / total, s.name(), max));
        }
      }
    });
    if (!reasons.isEmpty()) {
      return new Refused(reasons);
    }
    return new Resolved(resolved);
  }
}
