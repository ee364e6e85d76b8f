package dev.tern.controlplane.security;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Lets a controller method take a {@link Caller} parameter: the caller {@link AccessFilter}
 * authenticated. On a {@link Public} endpoint there is none, and the request is refused as
 * unsatisfiable, so public endpoints must not ask for one.
 */
@Singleton
final class CallerBinder implements TypedRequestArgumentBinder<Caller> {

  @Override
  public Argument<Caller> argumentType() {
    return Argument.of(Caller.class);
  }

  @Override
  public BindingResult<Caller> bind(ArgumentConversionContext<Caller> context, HttpRequest<?> source) {
    Optional<Caller> caller = source.getAttribute(AccessFilter.CALLER_ATTRIBUTE, Caller.class);
    if (caller.isEmpty()) {
      return BindingResult.unsatisfied();
    }
    return () -> caller;
  }
}
