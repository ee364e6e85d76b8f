package dev.tern.controlplane.chaos;

import dev.tern.chaos.run.FaultInjector;
import dev.tern.chaos.run.TargetBackend;
import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import dev.tern.controlplane.provider.ProviderAccount;
import dev.tern.controlplane.provider.ProviderSettings;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/**
 * The {@code provider-fault} injector: a provider kind's API calls fail while the run's fault is
 * in ({@link ProviderFaults}), so the reconciler's retries, backoff, status and paging are
 * exercised without touching the cloud. Like probe-fault, the committed run is the fault: inject
 * only checks that this cluster has an account of that kind to fail, and revert has nothing to
 * undo.
 */
@Singleton
final class ProviderFaultInjector implements FaultInjector {

  private final ProviderSettings settings;

  ProviderFaultInjector(ProviderSettings settings) {
    this.settings = settings;
  }

  @Override
  public Injector kind() {
    return Injector.PROVIDER_FAULT;
  }

  /** Why {@code fault} cannot be injected here, if it cannot. */
  Optional<String> refusal(Fault fault) {
    if (!(fault instanceof Fault.ProviderApiFailure f)) {
      return Optional.of("the provider-fault injector injects provider-api-failure only, not " + fault.kind());
    }
    if (settings.accounts().stream().map(ProviderAccount::kind).noneMatch(f.provider()::equals)) {
      return Optional.of("no " + f.provider() + " account is configured in tern.providers: nothing to fail");
    }
    return Optional.empty();
  }

  @Override
  public void inject(Fault fault, List<TargetBackend> targets) throws InjectionException {
    Optional<String> refused = refusal(fault);
    if (refused.isPresent()) {
      throw new InjectionException(refused.get());
    }
  }

  @Override
  public void revert(Fault fault, List<TargetBackend> targets) {
    // The committed heal takes the fault out on every node.
  }
}
