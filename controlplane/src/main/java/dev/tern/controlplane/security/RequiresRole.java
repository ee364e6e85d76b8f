package dev.tern.controlplane.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The least role a caller needs for this endpoint. Without it, a {@code GET} needs
 * {@link Role#VIEWER} and every other method needs {@link Role#ADMIN}; see {@link EndpointAccess}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RequiresRole {
  Role value();
}
